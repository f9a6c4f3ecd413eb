using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.GitHub;

namespace TfMfa.Tests.Codes;

public sealed class ApproversTests
{
    private sealed class Permissions(Dictionary<string, RepoPermission> roles) : IGitHubApi
    {
        public List<string> Asked { get; } = [];

        public Task<RepoPermission?> GetPermissionAsync(string login, CancellationToken cancellationToken)
        {
            Asked.Add(login);
            return Task.FromResult<RepoPermission?>(roles.TryGetValue(login, out var role) ? role : null);
        }

        public Task<GitHubRepository> GetRepositoryAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string?> GetFileAsync(string path, string reference, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<CommitPullRequest>> GetPullRequestsForCommitAsync(string sha, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<EventPullRequest> GetPullRequestAsync(int number, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<GitHubApproval>> GetApprovalsAsync(long runId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<GitHubComment> CreateCommentAsync(int issueNumber, string body, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task UpdateCommentAsync(long commentId, string body, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<GitHubComment>> ListCommentsAsync(int issueNumber, DateTimeOffset since, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> DeleteCommentAsync(long commentId, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task AddEyesReactionAsync(long commentId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static readonly Dictionary<string, RepoPermission> Roles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["admin-ann"] = RepoPermission.Admin,
        ["maint-max"] = RepoPermission.Maintain,
        ["writer-wil"] = RepoPermission.Write,
        ["triage-tia"] = RepoPermission.Triage,
        ["reader-rob"] = RepoPermission.Read,
    };

    [Theory]
    [InlineData(RepoPermission.Write, "admin-ann", true)]
    [InlineData(RepoPermission.Write, "maint-max", true)]
    [InlineData(RepoPermission.Write, "writer-wil", true)]
    [InlineData(RepoPermission.Write, "triage-tia", false)]
    [InlineData(RepoPermission.Write, "reader-rob", false)]
    [InlineData(RepoPermission.Write, "stranger", false)]
    [InlineData(RepoPermission.Maintain, "writer-wil", false)]
    [InlineData(RepoPermission.Maintain, "maint-max", true)]
    [InlineData(RepoPermission.Read, "reader-rob", true)]
    [InlineData(RepoPermission.Triage, "triage-tia", true)]
    public async Task Permission_must_reach_min_permission(RepoPermission min, string login, bool allowed)
    {
        var approvers = new Approvers(new ApproverPolicy(min, []), new Permissions(Roles));

        var check = await approvers.CheckAsync(login, isBot: false, TestContext.Current.CancellationToken);

        Assert.Equal(allowed, check.Allowed);
    }

    [Fact]
    public async Task The_users_list_narrows_who_may_answer_and_is_checked_before_any_request()
    {
        var github = new Permissions(Roles);
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, ["admin-ann"]), github);

        var onList = await approvers.CheckAsync("ADMIN-ANN", false, TestContext.Current.CancellationToken);
        var offList = await approvers.CheckAsync("writer-wil", false, TestContext.Current.CancellationToken);

        Assert.True(onList.Allowed);
        Assert.False(offList.Allowed);
        Assert.Equal("not on approvers.users in the default branch's config", offList.Reason);
        Assert.Equal(["ADMIN-ANN"], github.Asked);
    }

    [Fact]
    public async Task Bots_never_count_whatever_their_permission()
    {
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Read, []), new Permissions(Roles));

        Assert.False((await approvers.CheckAsync("admin-ann", isBot: true, TestContext.Current.CancellationToken)).Allowed);
        Assert.False((await approvers.CheckAsync("renovate[bot]", isBot: false, TestContext.Current.CancellationToken)).Allowed);
    }

    [Fact]
    public async Task A_permission_is_looked_up_once_per_login_per_run()
    {
        var github = new Permissions(Roles);
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, []), github);

        await approvers.CheckAsync("reader-rob", false, TestContext.Current.CancellationToken);
        var second = await approvers.CheckAsync("reader-rob", false, TestContext.Current.CancellationToken);

        Assert.Equal("has read permission, below approvers.min-permission (write)", second.Reason);
        Assert.Single(github.Asked);
    }
}
