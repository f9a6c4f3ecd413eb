using System.Globalization;
using TfMfa.Config;

namespace TfMfa.AzurePipelines;

/// <summary>The Azure DevOps REST calls the task makes, by their documented routes (api-version 7.1).</summary>
public sealed class AzureReposApi(AzureDevOpsClient client, AzureContext context)
{
    /// <summary>The Git Repositories security namespace.</summary>
    public const string GitNamespace = "2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";

    /// <summary>Git Repositories permission bits (GenericRead, GenericContribute, ManagePermissions).</summary>
    public const int ReadBit = 2, ContributeBit = 4, ManagePermissionsBit = 8192;

    private string Repository => $"{client.Project}_apis/git/repositories/{Uri.EscapeDataString(context.RepositoryId)}";

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    public Task<ConnectionData> ConnectionDataAsync(CancellationToken cancellationToken) =>
        client.GetAsync("read who the job's token belongs to (connectionData)", $"{client.Collection}_apis/connectionData", AzureJson.Default.ConnectionData, cancellationToken);

    public Task<GitRepository> RepositoryAsync(CancellationToken cancellationToken) =>
        client.GetAsync($"read the repository {context.RepositoryId}", Repository + AzureDevOpsClient.Query(), AzureJson.Default.GitRepository, cancellationToken);

    /// <summary>A file's item with its content at a branch, or null when it does not exist there (404).</summary>
    public Task<GitItem?> ItemAsync(string path, string branch, CancellationToken cancellationToken) =>
        client.GetOrNullAsync($"read {path} on {branch}",
            Repository + "/items" + AzureDevOpsClient.Query(("path", path), ("versionDescriptor.version", branch),
                ("versionDescriptor.versionType", "branch"), ("includeContent", "true")),
            AzureJson.Default.GitItem, cancellationToken);

    /// <summary>Pull requests that merged <paramref name="sha"/> or have it as their last merge commit.</summary>
    public async Task<IReadOnlyList<GitPullRequest>> PullRequestsForCommitAsync(string sha, CancellationToken cancellationToken)
    {
        var query = new PullRequestQuery([new("commit", [sha]), new("lastMergeCommit", [sha])]);
        var answer = await client.WriteAsync(HttpMethod.Post, $"find the pull request of commit {sha}", Repository + "/pullrequestquery" + AzureDevOpsClient.Query(),
            query, AzureJson.Default.PullRequestQuery, AzureJson.Default.PullRequestQuery, cancellationToken);
        return [.. (answer.Results ?? []).SelectMany(r => r.TryGetValue(sha, out var prs) ? prs : [])];
    }

    public Task<GitPullRequest> PullRequestAsync(int id, CancellationToken cancellationToken) =>
        client.GetAsync($"read pull request {id}", $"{Repository}/pullRequests/{Id(id)}" + AzureDevOpsClient.Query(), AzureJson.Default.GitPullRequest, cancellationToken);

    /// <summary>Most commits of one pull request TfMfa reads; a longer one leaves its committers unknown.</summary>
    public const int MaxPullRequestCommits = 5_000;

    /// <summary>A pull request's commits (Pull Request Commits - Get Pull Request Commits), page by page by continuation token; null past <see cref="MaxPullRequestCommits"/>.</summary>
    public async Task<IReadOnlyList<GitCommitRef>?> PullRequestCommitsAsync(int pullRequest, CancellationToken cancellationToken)
    {
        var commits = new List<GitCommitRef>();
        string? next = null;
        do
        {
            var query = next is null ? AzureDevOpsClient.Query(("$top", "100")) : AzureDevOpsClient.Query(("$top", "100"), ("continuationToken", next));
            var (page, continuation) = await client.GetPageAsync($"read the commits of pull request {pullRequest}",
                $"{Repository}/pullRequests/{Id(pullRequest)}/commits" + query, AzureJson.Default.ListOfGitCommitRef, cancellationToken);
            commits.AddRange(page.Value ?? []);
            if (commits.Count > MaxPullRequestCommits) return null;
            next = continuation;
        } while (next is not null);
        return commits;
    }

    /// <summary>A pull request's iterations: who created it and each push to it (Pull Request Iterations - List).</summary>
    public async Task<IReadOnlyList<GitPullRequestIteration>> IterationsAsync(int pullRequest, CancellationToken cancellationToken) =>
        (await client.GetAsync($"read the iterations (pushes) of pull request {pullRequest}",
            $"{Repository}/pullRequests/{Id(pullRequest)}/iterations" + AzureDevOpsClient.Query(("includeCommits", "false")),
            AzureJson.Default.ListOfGitPullRequestIteration, cancellationToken)).Value ?? [];

    public async Task<IReadOnlyList<CommentThread>> ThreadsAsync(int pullRequest, CancellationToken cancellationToken) =>
        (await client.GetAsync($"list the threads of pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads" + AzureDevOpsClient.Query(),
            AzureJson.Default.ListOfCommentThread, cancellationToken)).Value ?? [];

    public async Task<IReadOnlyList<Comment>> CommentsAsync(int pullRequest, int thread, CancellationToken cancellationToken) =>
        (await client.GetAsync($"list the comments of thread {thread} on pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads/{Id(thread)}/comments" + AzureDevOpsClient.Query(),
            AzureJson.Default.ListOfComment, cancellationToken)).Value ?? [];

    public Task<CommentThread> CreateThreadAsync(int pullRequest, string content, CancellationToken cancellationToken) =>
        client.WriteAsync(HttpMethod.Post, $"post a thread on pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads" + AzureDevOpsClient.Query(),
            new NewThread([new NewComment(content)]), AzureJson.Default.NewThread, AzureJson.Default.CommentThread, cancellationToken);

    public Task<Comment> CreateCommentAsync(int pullRequest, int thread, int parent, string content, CancellationToken cancellationToken) =>
        client.WriteAsync(HttpMethod.Post, $"reply in thread {thread} on pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads/{Id(thread)}/comments" + AzureDevOpsClient.Query(),
            new NewComment(content, parent), AzureJson.Default.NewComment, AzureJson.Default.Comment, cancellationToken);

    public Task<Comment> UpdateCommentAsync(int pullRequest, int thread, int comment, string content, CancellationToken cancellationToken) =>
        client.WriteAsync(HttpMethod.Patch, $"edit comment {comment} of thread {thread} on pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads/{Id(thread)}/comments/{Id(comment)}" + AzureDevOpsClient.Query(),
            new CommentContent(content), AzureJson.Default.CommentContent, AzureJson.Default.Comment, cancellationToken);

    public Task DeleteCommentAsync(int pullRequest, int thread, int comment, CancellationToken cancellationToken) =>
        client.DeleteAsync($"delete comment {comment} of thread {thread} on pull request {pullRequest}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads/{Id(thread)}/comments/{Id(comment)}" + AzureDevOpsClient.Query(), cancellationToken);

    public Task<CommentThread> SetThreadStatusAsync(int pullRequest, int thread, string status, CancellationToken cancellationToken) =>
        client.WriteAsync(HttpMethod.Patch, $"set thread {thread} on pull request {pullRequest} to {status}", $"{Repository}/pullRequests/{Id(pullRequest)}/threads/{Id(thread)}" + AzureDevOpsClient.Query(),
            new ThreadStatus(status), AzureJson.Default.ThreadStatus, AzureJson.Default.CommentThread, cancellationToken);

    /// <summary>
    /// What an identity may do on this repository, from the Git namespace's ACL with extended info:
    /// effectiveAllow already folds in groups and inheritance. ManagePermissions reads as admin,
    /// Contribute as write, Read as read.
    /// </summary>
    public async Task<RepoPermission?> PermissionAsync(string identityId, CancellationToken cancellationToken)
    {
        var identities = await client.GetAsync($"read identity {identityId}",
            $"{client.Identities}_apis/identities" + AzureDevOpsClient.Query(("identityIds", identityId)), AzureJson.Default.ListOfIdentity, cancellationToken);
        var descriptor = identities.Value?.FirstOrDefault(i => i?.Descriptor is { Length: > 0 })?.Descriptor;
        if (descriptor is null) return null;

        var token = $"repoV2/{context.ProjectId}/{context.RepositoryId}";
        ListOf<AccessControlList> acls;
        try
        {
            acls = await client.GetAsync($"read the repository's permissions for identity {identityId}",
                $"{client.Collection}_apis/accesscontrollists/{GitNamespace}" + AzureDevOpsClient.Query(("token", token), ("descriptors", descriptor), ("includeExtendedInfo", "true")),
                AzureJson.Default.ListOfAccessControlList, cancellationToken);
        }
        catch (AzureDevOpsException e) when (e.Status is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
        {
            throw new TfMfaException(
                $"The build identity cannot read who may contribute to the repository, so no code can be accepted (fail closed): {e.Message}. " +
                "Grant it 'Read' on the repository's security (Project settings → Repositories → Security), which lets it read the Git Repositories ACLs.", e);
        }
        var entry = acls.Value?.SelectMany(acl => acl.AcesDictionary ?? []).FirstOrDefault(pair => pair.Key.Equals(descriptor, StringComparison.OrdinalIgnoreCase)).Value;
        if (entry is null) return null;
        var effective = entry.ExtendedInfo is { } info ? info.EffectiveAllow & ~info.EffectiveDeny : entry.Allow & ~entry.Deny;
        return (effective & ManagePermissionsBit) != 0 ? RepoPermission.Admin
            : (effective & ContributeBit) != 0 ? RepoPermission.Write
            : (effective & ReadBit) != 0 ? RepoPermission.Read
            : null;
    }

    /// <summary>Members of a page; the service's own default, so one page is one request for most teams.</summary>
    public const int TeamPageSize = 100;

    /// <summary>Most members one team may list: a team past this is refused (name a smaller team), so a lookup stays bounded.</summary>
    public const int MaxTeamMembers = 5_000;

    /// <summary>
    /// A team's direct members (Teams - Get Team Members With Extended Properties), page by page.
    /// A group among them is listed as itself, not expanded.
    /// </summary>
    public async Task<IReadOnlyList<TeamMember>> TeamMembersAsync(string project, string team, CancellationToken cancellationToken)
    {
        var members = new List<TeamMember>();
        for (var skip = 0; ; skip += TeamPageSize)
        {
            var page = (await client.GetAsync($"read the members of team '{team}' in project '{project}'",
                $"{client.Collection}_apis/projects/{Uri.EscapeDataString(project)}/teams/{Uri.EscapeDataString(team)}/members" +
                AzureDevOpsClient.Query(("$top", Id(TeamPageSize)), ("$skip", Id(skip))),
                AzureJson.Default.ListOfTeamMember, cancellationToken)).Value ?? [];
            members.AddRange(page);
            if (page.Count < TeamPageSize) return members;
            if (members.Count >= MaxTeamMembers)
                throw new TfMfaException($"approvers.teams: team '{team}' in project '{project}' has more than {MaxTeamMembers} members, more than TfMfa reads; name a smaller team, or the people in approvers.users");
        }
    }

    /// <summary>A build's status (notStarted, inProgress, cancelling, postponed, completed).</summary>
    public async Task<string?> BuildStatusAsync(long buildId, CancellationToken cancellationToken) =>
        (await client.GetAsync($"read build {buildId}", $"{client.Project}_apis/build/builds/{buildId.ToString(CultureInfo.InvariantCulture)}" + AzureDevOpsClient.Query(),
            AzureJson.Default.Build, cancellationToken)).Status;

    public async Task<IReadOnlyList<TimelineRecord>> TimelineAsync(CancellationToken cancellationToken) =>
        (await client.GetAsync($"read the timeline of build {context.BuildId}", $"{client.Project}_apis/build/builds/{context.BuildId.ToString(CultureInfo.InvariantCulture)}/timeline" + AzureDevOpsClient.Query(),
            AzureJson.Default.Timeline, cancellationToken)).Records ?? [];

    public Task<Approval> ApprovalAsync(string id, CancellationToken cancellationToken) =>
        client.GetAsync($"read approval {id}", $"{client.Project}_apis/pipelines/approvals/{Uri.EscapeDataString(id)}" + AzureDevOpsClient.Query(("$expand", "steps")),
            AzureJson.Default.Approval, cancellationToken);
}
