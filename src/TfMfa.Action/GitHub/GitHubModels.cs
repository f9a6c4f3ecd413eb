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

/// <summary>A commit status's state, as GitHub's statuses API names them.</summary>
public enum CommitStatusState { Pending, Success, Failure, Error }
