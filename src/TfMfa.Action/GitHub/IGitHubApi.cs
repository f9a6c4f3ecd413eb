using TfMfa.Config;

namespace TfMfa.GitHub;

/// <param name="Login">The writer's login; null when the account was deleted (GitHub answers <c>user: null</c>).</param>
public sealed record GitHubComment(long Id, string Body, string? Login, bool IsBot, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

/// <param name="Login">The reviewer's login; null when the account was deleted.</param>
public sealed record GitHubApproval(string State, string? Login, bool IsBot, string Comment, IReadOnlyList<string> Environments);

public sealed record CommitPullRequest(int Number, bool IsOpen);

/// <summary>A pull request's commit and the GitHub accounts its author and committer emails belong to (null: none).</summary>
public sealed record PullRequestCommit(string Sha, string? AuthorLogin, string? CommitterLogin, string AuthorName, string CommitterName);

/// <param name="Visibility">public, private or internal.</param>
public sealed record GitHubRepository(string DefaultBranch, string Visibility)
{
    /// <summary>Public: every GitHub user; internal: every member of the enterprise. Either way, read permission means nothing.</summary>
    public bool AnyoneCanRead => Visibility is "public" or "internal";
}

/// <summary>The handful of GitHub REST calls the action makes. Failures surface as <see cref="GitHubException"/>.</summary>
public interface IGitHubApi
{
    /// <summary>The repository's default branch and who can read it.</summary>
    Task<GitHubRepository> GetRepositoryAsync(CancellationToken cancellationToken);

    /// <summary>A file's text at a ref, or null when it does not exist there (404).</summary>
    Task<string?> GetFileAsync(string path, string reference, CancellationToken cancellationToken);

    Task<IReadOnlyList<CommitPullRequest>> GetPullRequestsForCommitAsync(string sha, CancellationToken cancellationToken);

    /// <summary>A pull request's head and base repositories, for an event (issue_comment) whose payload lacks them.</summary>
    Task<EventPullRequest> GetPullRequestAsync(int number, CancellationToken cancellationToken);

    /// <summary>A pull request's commits, every page; GitHub lists at most <see cref="PullRequestCommitLimit"/>.</summary>
    Task<IReadOnlyList<PullRequestCommit>> GetPullRequestCommitsAsync(int number, CancellationToken cancellationToken);

    /// <summary>The most commits GitHub lists for a pull request; a longer one is cut there without a word.</summary>
    const int PullRequestCommitLimit = 250;

    Task<IReadOnlyList<GitHubApproval>> GetApprovalsAsync(long runId, CancellationToken cancellationToken);

    /// <summary>A workflow run's status (queued, in_progress, completed, ...), or null when the token may not read it (403, 404).</summary>
    Task<string?> GetRunStatusAsync(long runId, CancellationToken cancellationToken);

    Task<GitHubComment> CreateCommentAsync(int issueNumber, string body, CancellationToken cancellationToken);

    Task UpdateCommentAsync(long commentId, string body, CancellationToken cancellationToken);

    /// <summary>A comment's current body, or null when it was deleted (404).</summary>
    Task<string?> GetCommentBodyAsync(long commentId, CancellationToken cancellationToken);

    /// <summary>Comments updated since <paramref name="since"/>, oldest first, fetched conditionally so an unchanged list costs no rate limit.</summary>
    Task<IReadOnlyList<GitHubComment>> ListCommentsAsync(int issueNumber, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Deletes a comment; false when it was already gone (404), which means another run claimed it.</summary>
    Task<bool> DeleteCommentAsync(long commentId, CancellationToken cancellationToken);

    Task AddEyesReactionAsync(long commentId, CancellationToken cancellationToken);

    /// <summary>Whether the user is an active member of the team (<c>org/slug</c>); 404 is no. A token that cannot read membership throws.</summary>
    Task<bool> IsTeamMemberAsync(string team, string login, CancellationToken cancellationToken);

    /// <summary>The user's role on the repository (admin, maintain, write, triage, read), or null for none.</summary>
    Task<RepoPermission?> GetPermissionAsync(string login, CancellationToken cancellationToken);
}
