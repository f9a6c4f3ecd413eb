using TfMfa.Hosting;
using System.Globalization;
using System.Net;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;
using TfMfa.Config;

namespace TfMfa.GitHub;

/// <summary>
/// The handful of GitHub REST calls the action makes, through Octokit, on the API URL exactly as the
/// runner gives it (GitHub Enterprise Server included). Failures surface as <see cref="GitHubException"/>.
/// Tests drive it against the GitHub stand-in, so it needs no interface.
/// </summary>
public sealed partial class OctokitGitHubApi
{
    /// <summary>The most commits GitHub lists for a pull request; a longer one is cut there without a word.</summary>
    public const int PullRequestCommitLimit = 250;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly GitHubClient _client;
    private readonly string _owner;
    private readonly string _name;
    private readonly TimeProvider _clock;

    public OctokitGitHubApi(GitHubContext context, string token, TimeProvider clock, Func<HttpMessageHandler>? handler = null)
    {
        _owner = context.Owner;
        _name = context.Repository;
        _clock = clock;
        // Octokit's GitHubClient(Uri) rewrites any non-github.com host to /api/v3/; a Connection keeps the
        // URL as given, which is what GITHUB_API_URL already is (https://HOST/api/v3 on Enterprise Server).
        var baseAddress = new Uri(context.ApiUrl.EndsWith('/') ? context.ApiUrl : context.ApiUrl + "/");
        var http = new CachingHttpClient(new HttpClientAdapter(() => ReadRetries.Handler(clock, handler?.Invoke() ?? HttpMessageHandlerFactory.CreateDefault())), new EtagCache());
        var connection = new Connection(new ProductHeaderValue("tfmfa", "1.0"), baseAddress,
            new InMemoryCredentialStore(new Credentials(token)), http, new SimpleJsonSerializer());
        connection.SetRequestTimeout(RequestTimeout);
        _client = new GitHubClient(connection);
    }

    /// <summary>The repository's default branch and who can read it.</summary>
    public Task<GitHubRepository> GetRepositoryAsync(CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read the repository {_owner}/{_name}", async () =>
        {
            var repository = await _client.Repository.Get(_owner, _name);
            // visibility is newer than private; an answer without it falls back to private's meaning.
            var visibility = repository.Visibility?.ToString().ToLowerInvariant() ?? (repository.Private ? "private" : "public");
            return new GitHubRepository(repository.DefaultBranch, visibility);
        });

    /// <summary>A file's text at a ref, or null when it does not exist there (404).</summary>
    public Task<string?> GetFileAsync(string path, string reference, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read {path} on {reference}", async () =>
        {
            try
            {
                // The JSON form (base64 content) rather than the raw media type, whose content type Octokit must guess.
                var contents = await _client.Repository.Content.GetAllContentsByRef(_owner, _name, path, reference);
                if (contents.Count != 1 || contents[0].Type.StringValue != "file")
                    throw new GitHubException($"could not read {path} on {reference}: it is not a file", null, transient: false, null);
                return CompleteText(contents[0], path, reference);
            }
            catch (NotFoundException)
            {
                return null;
            }
        });

    /// <summary>
    /// The file's text only when GitHub sent all of it: files over 1 MB come as <c>encoding: none</c>
    /// with empty content, which would read as an empty config (the gate off, the approvers gone).
    /// </summary>
    private static string CompleteText(RepositoryContent file, string path, string reference)
    {
        var encoding = file.Encoding?.ToString() ?? "";
        byte[]? bytes = null;
        if (encoding.Equals("base64", StringComparison.OrdinalIgnoreCase) && file.EncodedContent is { } encoded)
        {
            try { bytes = Convert.FromBase64String(encoded); }
            catch (FormatException) { }
        }
        if (bytes is null || bytes.Length != file.Size)
            throw new GitHubException(
                $"could not read {path} on {reference}: GitHub sent {file.Size:N0} bytes as encoding '{(encoding.Length == 0 ? "(none given)" : encoding)}' " +
                $"and {(bytes is null ? "no usable content" : $"{bytes.Length:N0} bytes")} (the contents API leaves out files over 1 MB), so it is not a complete file. Keep the config under 1 MB",
                null, transient: false, null);
        return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false).GetString(bytes);
    }

    public Task<IReadOnlyList<CommitPullRequest>> GetPullRequestsForCommitAsync(string sha, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"find the pull request of commit {sha}", async () =>
            (IReadOnlyList<CommitPullRequest>)[.. (await _client.Repository.Commit.PullRequests(_owner, _name, sha))
                .Select(pr => new CommitPullRequest(pr.Number, pr.State.StringValue == "open"))]);

    /// <summary>A pull request's head and base repositories, for an event (issue_comment) whose payload lacks them.</summary>
    public Task<EventPullRequest> GetPullRequestAsync(int number, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read pull request #{number}", async () =>
        {
            var pr = await _client.PullRequest.Get(_owner, _name, number);
            return new EventPullRequest(pr.Number, pr.Head?.Repository?.FullName, pr.Base?.Repository?.FullName ?? $"{_owner}/{_name}", pr.User?.Login, pr.Head?.Sha);
        });

    /// <summary>A pull request's commits, every page; GitHub lists at most <see cref="PullRequestCommitLimit"/>.</summary>
    public Task<IReadOnlyList<PullRequestCommit>> GetPullRequestCommitsAsync(int number, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read the commits of pull request #{number}", async () =>
            (IReadOnlyList<PullRequestCommit>)[.. (await new ApiConnection(_client.Connection).GetAll<Octokit.PullRequestCommit>(
                    new Uri($"repos/{Uri.EscapeDataString(_owner)}/{Uri.EscapeDataString(_name)}/pulls/{number.ToString(CultureInfo.InvariantCulture)}/commits", UriKind.Relative),
                    new ApiOptions { PageSize = 100 }))
                .Select(c => new PullRequestCommit(c.Sha, c.Author?.Login, c.Committer?.Login, c.Commit?.Author?.Name ?? "", c.Commit?.Committer?.Name ?? ""))]);

    public Task<IReadOnlyList<GitHubApproval>> GetApprovalsAsync(long runId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read the approvals of run {runId}", async () =>
            (IReadOnlyList<GitHubApproval>)[.. (await _client.Actions.Workflows.Runs.GetReviewHistory(_owner, _name, runId))
                // The state enum knows approved and rejected only; the string is the truth.
                .Select(a => new GitHubApproval(a.State.StringValue ?? "", a.User?.Login, IsBot(a.User), a.Comment ?? "",
                    [.. (a.Environments ?? []).Select(e => e.Name)]))]);

    /// <summary>A workflow run's status (queued, in_progress, completed, ...), or null when the token may not read it (403, 404).</summary>
    public Task<string?> GetRunStatusAsync(long runId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read workflow run {runId}", async () =>
        {
            try
            {
                return (await _client.Actions.Workflows.Runs.Get(_owner, _name, runId)).Status.StringValue;
            }
            // Not the rate limits (also 403s): those are waited out like any other call's.
            catch (Exception e) when (e is NotFoundException || (e is ForbiddenException and not RateLimitExceededException and not SecondaryRateLimitExceededException and not AbuseException))
            {
                return null;
            }
        });

    public Task<GitHubComment> CreateCommentAsync(int issueNumber, string body, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"comment on #{issueNumber}", async () => ToComment(await _client.Issue.Comment.Create(_owner, _name, issueNumber, body)));

    public Task UpdateCommentAsync(long commentId, string body, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"edit comment {commentId}", async () => { await _client.Issue.Comment.Update(_owner, _name, commentId, body); return 0; });

    /// <summary>A comment's current body, or null when it was deleted (404).</summary>
    public Task<string?> GetCommentBodyAsync(long commentId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read comment {commentId}", async () =>
        {
            try { return (await _client.Issue.Comment.Get(_owner, _name, commentId)).Body ?? ""; }
            catch (NotFoundException) { return (string?)null; }
        });

    /// <summary>Comments updated since <paramref name="since"/>, oldest first, fetched conditionally so an unchanged list costs no rate limit.</summary>
    public Task<IReadOnlyList<GitHubComment>> ListCommentsAsync(int issueNumber, DateTimeOffset since, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read the comments of #{issueNumber}", async () =>
            (IReadOnlyList<GitHubComment>)[.. (await _client.Issue.Comment.GetAllForIssue(_owner, _name, issueNumber,
                new IssueCommentRequest { Since = since }, new ApiOptions { PageSize = 100 })).Select(ToComment)]);

    /// <summary>Deletes a comment; false when it was already gone (404), which means another run claimed it.</summary>
    public Task<bool> DeleteCommentAsync(long commentId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"delete comment {commentId}", async () =>
        {
            try
            {
                await _client.Issue.Comment.Delete(_owner, _name, commentId);
                return true;
            }
            catch (NotFoundException)
            {
                return false;
            }
        });

    public Task AddEyesReactionAsync(long commentId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"react to comment {commentId}", async () => await _client.Reaction.IssueComment.Create(_owner, _name, commentId, new NewReaction(ReactionType.Eyes)));


    private Uri CommentReactions(long commentId) =>
        new($"repos/{Uri.EscapeDataString(_owner)}/{Uri.EscapeDataString(_name)}/issues/comments/{commentId.ToString(CultureInfo.InvariantCulture)}/reactions", UriKind.Relative);

    /// <summary>The user's role on the repository (admin, maintain, write, triage, read), or null for none.</summary>
    public Task<RepoPermission?> GetPermissionAsync(string login, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read the permission of @{login}", async () =>
        {
            try
            {
                var response = await _client.Repository.Collaborator.ReviewPermission(_owner, _name, login);
                // role_name knows maintain and triage; permission is the older admin/write/read/none.
                return ParsePermission(response.RoleName) ?? ParsePermission(response.Permission);
            }
            catch (NotFoundException)
            {
                return null;
            }
        });

    /// <summary>Whether the user is an active member of the team (<c>org/slug</c>); 404 is no. A token that cannot read membership throws.</summary>
    public Task<bool> IsTeamMemberAsync(string team, string login, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"read whether @{login} is in the team {team}", async () =>
        {
            var slash = team.IndexOf('/');
            var uri = new Uri($"orgs/{Uri.EscapeDataString(team[..slash])}/teams/{Uri.EscapeDataString(team[(slash + 1)..])}/memberships/{Uri.EscapeDataString(login)}", UriKind.Relative);
            try
            {
                var membership = await new ApiConnection(_client.Connection).Get<TeamMembershipDetails>(uri);
                return membership.State.StringValue == "active";
            }
            catch (NotFoundException)
            {
                return false;
            }
        });

    public static RepoPermission? ParsePermission(string? text) => text?.ToLowerInvariant() switch
    {
        "admin" => RepoPermission.Admin,
        "maintain" => RepoPermission.Maintain,
        "write" or "push" => RepoPermission.Write,
        "triage" => RepoPermission.Triage,
        "read" or "pull" => RepoPermission.Read,
        _ => null,
    };

    private static bool IsBot(User? user) => user?.Type == AccountType.Bot || (user?.Login?.EndsWith("[bot]", StringComparison.Ordinal) ?? false);

    private static GitHubComment ToComment(IssueComment comment) =>
        new(comment.Id, comment.Body ?? "", comment.User?.Login, IsBot(comment.User), comment.CreatedAt, comment.UpdatedAt);

    /// <summary>Runs one call and turns whatever went wrong into a <see cref="GitHubException"/> that says what GitHub answered.</summary>
    /// <param name="permissions">The job permissions the call needs, for a 403's message; null: those every run needs.</param>
    private async Task<T> Call<T>(CancellationToken cancellationToken, string what, Func<Task<T>> call, string? permissions = null)
    {
        try
        {
            // Octokit takes no token; stop waiting on cancellation, the request itself times out.
            return await call().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (GitHubErrors.Translate(e, what, _clock.GetUtcNow(), cancellationToken.IsCancellationRequested, permissions) is { } answer)
        {
            throw answer;
        }
    }
}
