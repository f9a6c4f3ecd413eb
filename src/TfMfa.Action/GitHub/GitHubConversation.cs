using System.Globalization;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.GitHub;

/// <summary>
/// A pull request's (or issue's) comments as the conversation: the request is a comment, comments
/// are listed conditionally (an unchanged poll costs no rate limit), and deleting a code comment
/// both hides and claims it: GitHub answers 404 to the second of two deletes, so one run wins.
/// </summary>
public sealed class GitHubConversation(OctokitGitHubApi github, Func<CancellationToken, Task<int>> findIssueNumber) : IConversation
{
    /// <summary>How a request on GitHub speaks: workflow runs, @mentions, and comments deleted once read.</summary>
    public static readonly RequestWording Wording = new("workflow run", "@", "The comment is deleted as soon as it is read.");

    private int _issue;

    public string Platform => "GitHub";

    /// <summary>An unchanged list answers 304 to its ETag, which costs no rate limit.</summary>
    public bool ReadsAreCounted => false;

    public string Where => $"#{_issue.ToString(CultureInfo.InvariantCulture)}";

    public string Mention(string name) => "@" + name;

    public async Task<ConversationComment> PostRequestAsync(string text, CancellationToken cancellationToken)
    {
        await FindIssueAsync(cancellationToken);
        return ToComment(await github.CreateCommentAsync(_issue, text, cancellationToken));
    }

    /// <summary>The pull request (or issue) the conversation is on, found once: a run that answers a request posts nothing before it replies.</summary>
    public async Task<int> FindIssueAsync(CancellationToken cancellationToken)
    {
        if (_issue == 0) _issue = await findIssueNumber(cancellationToken);
        return _issue;
    }

    public async Task<IReadOnlyList<ConversationComment>> CommentsSinceAsync(ConversationComment request, CancellationToken cancellationToken) =>
        [.. (await github.ListCommentsAsync(_issue, request.CreatedAt, cancellationToken)).Select(ToComment)];

    public async Task<ClaimOutcome> ClaimAsync(ConversationComment comment, CancellationToken cancellationToken) =>
        new(await github.DeleteCommentAsync(IdOf(comment), cancellationToken));

    public Task RemoveAsync(ConversationComment comment, CancellationToken cancellationToken) =>
        github.DeleteCommentAsync(IdOf(comment), cancellationToken);

    public Task EditRequestAsync(ConversationComment request, string text, CancellationToken cancellationToken) =>
        github.UpdateCommentAsync(IdOf(request), text, cancellationToken);

    public Task ReplyAsync(ConversationComment to, string text, CancellationToken cancellationToken) =>
        github.CreateCommentAsync(_issue, text, cancellationToken);

    public Task AcknowledgeAsync(ConversationComment comment, CancellationToken cancellationToken) =>
        github.AddEyesReactionAsync(IdOf(comment), cancellationToken);


    /// <summary>Every comment of the issue (ETag-cached) whose writer is <paramref name="poster"/>.</summary>
    public async Task<IReadOnlyList<ConversationComment>> CommentsByAsync(ConversationAuthor poster, CancellationToken cancellationToken) =>
        [.. (await github.ListCommentsAsync(_issue, DateTimeOffset.UnixEpoch, cancellationToken))
            .Where(c => string.Equals(c.Login, poster.Key, StringComparison.OrdinalIgnoreCase))
            .Select(ToComment)];

    /// <summary><c>GET /actions/runs/{id}</c> (ETag-cached); a token without <c>actions: read</c> (403) or a run it cannot see (404) cannot tell.</summary>
    public async Task<bool?> RunCompletedAsync(long runId, CancellationToken cancellationToken) =>
        await github.GetRunStatusAsync(runId, cancellationToken) is { } status ? status == "completed" : null;

    /// <summary>GET the comment (ETag-cached, so an unchanged request costs no rate limit); 404 means it was deleted.</summary>
    public Task<string?> CurrentTextAsync(ConversationComment request, CancellationToken cancellationToken) =>
        github.GetCommentBodyAsync(IdOf(request), cancellationToken);

    /// <summary>GitHub's REST API gives a comment's body and when it changed, never who changed it (only GraphQL's editor does).</summary>
    public string WhoEdited => "GitHub's REST API does not say who edits a comment; anyone with write permission, and any workflow's GITHUB_TOKEN, can";

    /// <summary>A comment has no state to close: its final text is the record.</summary>
    public Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken) => Task.CompletedTask;

    public static ConversationComment ToComment(GitHubComment c) =>
        new(c.Id.ToString(CultureInfo.InvariantCulture), c.Id, c.Body,
            c.Login is { Length: > 0 } login ? new ConversationAuthor(login, login, c.IsBot) : null,
            c.CreatedAt, c.UpdatedAt);

    private static long IdOf(ConversationComment comment) => long.Parse(comment.Id, CultureInfo.InvariantCulture);
}
