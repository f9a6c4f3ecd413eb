namespace TfMfa.StandIns.AzureDevOps;

/// <param name="Descriptor">The identity descriptor ACLs are keyed by (<c>Microsoft.TeamFoundation.Identity;S-1-9-...</c>).</param>
/// <param name="Allow">Git Repositories permission bits on the repository, as effectiveAllow reports them.</param>
public sealed record AzureIdentity(string Id, string UniqueName, string DisplayName, string Descriptor, int Allow, bool IsContainer = false);

public sealed class StoredAzureComment(int id, int parentCommentId, AzureIdentity author, string content, DateTimeOffset published, string commentType)
{
    public int Id { get; } = id;
    public int ParentCommentId { get; } = parentCommentId;
    public AzureIdentity Author { get; } = author;
    public string Content { get; set; } = content;
    public List<string> History { get; } = [content];
    public DateTimeOffset Published { get; } = published;
    public DateTimeOffset LastUpdated { get; set; } = published;
    public DateTimeOffset LastContentUpdated { get; set; } = published;
    public string CommentType { get; } = commentType;
    public bool IsDeleted { get; set; }
}

public sealed class StoredThread(int id, DateTimeOffset published)
{
    public int Id { get; } = id;
    public DateTimeOffset Published { get; } = published;
    public string Status { get; set; } = "active";
    public List<StoredAzureComment> Comments { get; } = [];
    public int NextCommentId { get; set; } = 1;
}

public sealed class StoredAzurePullRequest(int id, AzureIdentity createdBy, string sourceRef, string? forkRepository)
{
    public int Id { get; } = id;
    public AzureIdentity CreatedBy { get; } = createdBy;
    public string SourceRef { get; } = sourceRef;
    public string? ForkRepository { get; } = forkRepository;
    public string Status { get; set; } = "active";
    public string? MergeCommit { get; set; }
    public List<StoredThread> Threads { get; } = [];
    public int NextThreadId { get; set; } = 1;

    /// <summary>Its commits, newest first (as the service lists them), with the git identities they record.</summary>
    public List<StoredAzureCommit> Commits { get; } = [];

    /// <summary>Its updates: creating it, then each push to its source branch.</summary>
    public List<StoredIteration> Iterations { get; } = [];
}

/// <summary>A commit as git records it: names and emails, which need not belong to any Azure DevOps identity.</summary>
public sealed record StoredAzureCommit(string CommitId, string AuthorName, string AuthorEmail, string CommitterName, string CommitterEmail, DateTimeOffset Date);

/// <param name="Reason">create, push, forcePush, rebase...</param>
public sealed record StoredIteration(int Id, AzureIdentity Author, int PushId, AzureIdentity PushedBy, string Reason, string SourceCommit, DateTimeOffset Date);

/// <param name="StageIdentifier">The YAML stage name the checkpoint sits under.</param>
public sealed record StoredApproval(string Id, string StageIdentifier, long OwnerBuildId, string Status, AzureIdentity? Approver, string Comment, DateTimeOffset At);

/// <param name="ResponseBytes">The size of the answer's body, as it went over the wire.</param>
public sealed record AzureRequestRecord(string Method, string PathAndQuery, int Status, string? Body, DateTimeOffset At, long ResponseBytes = 0);

/// <param name="Result">succeeded, partiallySucceeded, failed or canceled once completed.</param>
public sealed record StoredBuild(long Id, string Status, string? Result, DateTimeOffset QueuedAt);
