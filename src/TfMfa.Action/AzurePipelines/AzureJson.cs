using System.Text.Json;
using System.Text.Json.Serialization;

namespace TfMfa.AzurePipelines;

// The slices of Azure DevOps REST 7.1 resources TfMfa reads and writes, named as the REST reference
// names them. Read with System.Text.Json's source generator: no reflection, so the trimmed
// self-contained binaries in the task keep working.

public sealed record IdentityRef(string? Id, string? DisplayName, string? UniqueName, string? Descriptor, bool? IsContainer);

public sealed record ConnectionData(IdentityRef? AuthenticatedUser);

public sealed record TeamProjectReference(string? Id, string? Name, string? Visibility);

public sealed record GitRepository(string? Id, string? Name, string? DefaultBranch, TeamProjectReference? Project, bool? IsDisabled);

public sealed record GitItem(string? Path, string? Content, string? GitObjectType, bool? IsFolder);

public sealed record GitForkRef(GitRepository? Repository);

public sealed record GitPullRequest(int PullRequestId, string? Status, IdentityRef? CreatedBy, string? SourceRefName, string? TargetRefName, GitForkRef? ForkSource);

/// <summary>A git identity as a commit records it: a name and an email, no account.</summary>
public sealed record GitUserDate(string? Name, string? Email, DateTimeOffset? Date);

public sealed record GitCommitRef(string? CommitId, GitUserDate? Author, GitUserDate? Committer);

public sealed record GitPushRef(int PushId, DateTimeOffset? Date, IdentityRef? PushedBy);

/// <summary>An update of a pull request: made by creating it or by a push to its source branch.</summary>
public sealed record GitPullRequestIteration(int Id, IdentityRef? Author, GitPushRef? Push, string? Reason);

public sealed record PullRequestQueryInput(string Type, IReadOnlyList<string> Items);

public sealed record PullRequestQuery(IReadOnlyList<PullRequestQueryInput> Queries, IReadOnlyList<Dictionary<string, List<GitPullRequest>>>? Results = null);

public sealed record Comment(
    int Id,
    int? ParentCommentId,
    IdentityRef? Author,
    string? Content,
    DateTimeOffset? PublishedDate,
    DateTimeOffset? LastUpdatedDate,
    DateTimeOffset? LastContentUpdatedDate,
    string? CommentType,
    bool? IsDeleted);

public sealed record CommentThread(int Id, DateTimeOffset? PublishedDate, IReadOnlyList<Comment>? Comments, string? Status, bool? IsDeleted);

public sealed record NewComment(string Content, int ParentCommentId = 0, string CommentType = "text");

public sealed record NewThread(IReadOnlyList<NewComment> Comments, string Status = "active");

public sealed record CommentContent(string Content);

public sealed record ThreadStatus(string Status);

public sealed record ListOf<T>(int Count, IReadOnlyList<T>? Value);

public sealed record Identity(string? Id, string? Descriptor, string? ProviderDisplayName, bool? IsActive);

public sealed record AceExtendedInfo(int EffectiveAllow, int EffectiveDeny);

public sealed record AccessControlEntry(string? Descriptor, int Allow, int Deny, AceExtendedInfo? ExtendedInfo);

public sealed record AccessControlList(string? Token, bool InheritPermissions, Dictionary<string, AccessControlEntry>? AcesDictionary);

public sealed record Build(long Id, string? Status, string? Result);

public sealed record TimelineRecord(string? Id, string? ParentId, string? Type, string? Name, string? Identifier, string? State, string? Result, DateTimeOffset? LastModified);

public sealed record Timeline(IReadOnlyList<TimelineRecord>? Records);

public sealed record ApprovalStep(IdentityRef? AssignedApprover, IdentityRef? ActualApprover, string? Status, string? Comment, DateTimeOffset? LastModifiedOn);

public sealed record PipelineOwner(long Id, string? Name);

public sealed record ApprovalPipeline(string? Id, string? Name, PipelineOwner? Owner);

public sealed record Approval(string? Id, string? Status, IReadOnlyList<ApprovalStep>? Steps, ApprovalPipeline? Pipeline, DateTimeOffset? LastModifiedOn);

/// <summary>A team's member (Teams - Get Team Members With Extended Properties): a person, or a group (<c>isContainer</c>).</summary>
public sealed record TeamMember(IdentityRef? Identity, bool? IsTeamAdmin);

/// <summary>Azure DevOps' error body: <c>{"message": "TF401019: ...", "typeKey": "...", "errorCode": 0}</c>.</summary>
public sealed record AzureError(string? Message, string? TypeKey);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConnectionData))]
[JsonSerializable(typeof(GitRepository))]
[JsonSerializable(typeof(GitItem))]
[JsonSerializable(typeof(GitPullRequest))]
[JsonSerializable(typeof(PullRequestQuery))]
[JsonSerializable(typeof(CommentThread))]
[JsonSerializable(typeof(Comment))]
[JsonSerializable(typeof(NewThread))]
[JsonSerializable(typeof(NewComment))]
[JsonSerializable(typeof(CommentContent))]
[JsonSerializable(typeof(ThreadStatus))]
[JsonSerializable(typeof(ListOf<CommentThread>))]
[JsonSerializable(typeof(ListOf<Comment>))]
[JsonSerializable(typeof(ListOf<Identity>))]
[JsonSerializable(typeof(ListOf<AccessControlList>))]
[JsonSerializable(typeof(ListOf<TeamMember>))]
[JsonSerializable(typeof(ListOf<GitCommitRef>))]
[JsonSerializable(typeof(ListOf<GitPullRequestIteration>))]
[JsonSerializable(typeof(Timeline))]
[JsonSerializable(typeof(Build))]
[JsonSerializable(typeof(Approval))]
[JsonSerializable(typeof(AzureError))]
public sealed partial class AzureJson : JsonSerializerContext;
