namespace TfMfa.StandIns.GitHub;

/// <param name="IsDeleted">A deleted account: GitHub shows it as "ghost" and its API objects carry <c>user: null</c>.</param>
public sealed record GitHubUser(long Id, string Login, bool IsBot, bool IsDeleted = false);

/// <summary>A comment as the stand-in stores it; <see cref="Deleted"/> comments are gone from every listing.</summary>
public sealed class StoredComment
{
    public required long Id { get; init; }
    public required int IssueNumber { get; init; }
    public required GitHubUser User { get; init; }
    public required string Body { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; set; }
    public bool Deleted { get; set; }
    /// <summary>The reactions it has now; a deleted one is gone.</summary>
    public List<StoredReaction> Reactions { get; } = [];

    /// <summary>Every body the comment ever had, so tests can check what was visible and when.</summary>
    public List<string> History { get; } = [];
}

/// <param name="HeadRepository">The head repository's full name; null once a fork is deleted (GitHub then answers <c>head.repo: null</c>).</param>
public sealed record StoredPullRequest(int Number, string HeadSha, string? HeadRepository, bool Open, string Author = "dana");

/// <summary>A pull request's commit: the git identities it records, and the accounts GitHub links them to (null: an email of no account).</summary>
public sealed record StoredCommit(string Sha, GitHubUser? Author, GitHubUser? Committer, string AuthorName, string AuthorEmail, string CommitterName, string CommitterEmail);

public sealed record StoredApproval(string State, GitHubUser User, string Comment, IReadOnlyList<string> Environments);

/// <summary>One request the stand-in answered. <see cref="Counted"/> is whether it spent rate limit (a 304 does not).</summary>
public sealed record GitHubRequestRecord(DateTimeOffset At, string Method, string Path, int Status, bool Counted);

/// <param name="Status">queued, in_progress or completed (GitHub's statuses of a run).</param>
public sealed record StoredWorkflowRun(long Id, string Status, string? Conclusion, string HeadSha, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A reaction to a comment, by the identity whose token made it.</summary>
public sealed record StoredReaction(long Id, GitHubUser User, string Content, DateTimeOffset CreatedAt)
{
    public string Login => User.Login;
}

/// <summary>A commit status as POST /statuses/{sha} made it; <see cref="Context"/> is as given (GitHub compares it case-insensitively).</summary>
public sealed record StoredStatus(long Id, string Sha, string State, string? Description, string? TargetUrl, string Context, GitHubUser Creator, DateTimeOffset CreatedAt);
