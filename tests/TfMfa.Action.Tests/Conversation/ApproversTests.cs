using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;

namespace TfMfa.Tests.Conversation;

public sealed class ApproversTests
{
    /// <summary>The repository's roles, and who was asked about.</summary>
    private sealed class Permissions(Dictionary<string, RepoPermission> roles)
    {
        public List<string> Asked { get; } = [];

        public Task<RepoPermission?> LookUp(ConversationAuthor author, CancellationToken cancellationToken)
        {
            Asked.Add(author.Key);
            return Task.FromResult<RepoPermission?>(roles.TryGetValue(author.Key, out var role) ? role : null);
        }
    }

    private static ConversationAuthor Person(string login, bool isBot = false) => new(login, login, isBot);

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
        var approvers = new Approvers(new ApproverPolicy(min, []), new Permissions(Roles).LookUp);

        var check = await approvers.CheckAsync(Person(login), TestContext.Current.CancellationToken);

        Assert.Equal(allowed, check.Allowed);
    }

    [Fact]
    public async Task The_users_list_narrows_who_may_answer_and_is_checked_before_any_request()
    {
        var github = new Permissions(Roles);
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, ["admin-ann"]), github.LookUp);

        var onList = await approvers.CheckAsync(Person("ADMIN-ANN"), TestContext.Current.CancellationToken);
        var offList = await approvers.CheckAsync(Person("writer-wil"), TestContext.Current.CancellationToken);

        Assert.True(onList.Allowed);
        Assert.False(offList.Allowed);
        Assert.Equal("not on approvers.users in the default branch's config", offList.Reason);
        Assert.Equal(["ADMIN-ANN"], github.Asked);
    }

    [Fact]
    public async Task Bots_never_count_whatever_their_permission()
    {
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Read, []), new Permissions(Roles).LookUp);

        Assert.False((await approvers.CheckAsync(Person("admin-ann", isBot: true), TestContext.Current.CancellationToken)).Allowed);
        Assert.False((await approvers.CheckAsync(Person("renovate[bot]"), TestContext.Current.CancellationToken)).Allowed);
    }

    [Fact]
    public async Task A_permission_is_looked_up_once_per_login_per_run()
    {
        var github = new Permissions(Roles);
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, []), github.LookUp);

        await approvers.CheckAsync(Person("reader-rob"), TestContext.Current.CancellationToken);
        var second = await approvers.CheckAsync(Person("reader-rob"), TestContext.Current.CancellationToken);

        Assert.Equal("has read permission, below approvers.min-permission (write)", second.Reason);
        Assert.Single(github.Asked);
    }

    [Fact]
    public async Task A_team_read_that_failed_is_no_verdict_and_is_asked_again()
    {
        var reads = 0;
        Task<bool> InTeam(string team, ConversationAuthor author, CancellationToken cancellationToken) =>
            ++reads == 1 ? Task.FromException<bool>(new ConversationException("GitHub answered 502", System.Net.HttpStatusCode.BadGateway, true, null))
            : Task.FromResult(author.Key == "writer-wil");
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, [], Teams: ["acme/platform"]), new Permissions(Roles).LookUp, isTeamMember: InTeam);

        await Assert.ThrowsAsync<ConversationException>(() => approvers.CheckAsync(Person("writer-wil"), TestContext.Current.CancellationToken));
        var again = await approvers.CheckAsync(Person("writer-wil"), TestContext.Current.CancellationToken);
        var other = await approvers.CheckAsync(Person("admin-ann"), TestContext.Current.CancellationToken);

        Assert.True(again.Allowed);
        Assert.False(other.Allowed);
        Assert.Equal("not on approvers.users nor in acme/platform (approvers.teams in the default branch's config)", other.Reason);
        Assert.Equal(3, reads);
    }
}
