using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.GitHub;

namespace TfMfa.Tests.Conversation;

/// <summary>Who is behind a change, and which writer that refuses, on GitHub (logins) and Azure DevOps (ids, uniqueNames, emails).</summary>
public sealed class PeopleBehindTheChangeTests
{
    private static readonly PeopleBehindTheChange Change = new("dana",
    [
        new ChangeContributor("pushed the head of this pull request", ["carol"]),
        new ChangeContributor("authored commit 1a2b3c4 of this pull request", ["bob"]),
        new ChangeContributor("committed 5d6e7f8 to this pull request (as erin@contoso.com)", ["erin@contoso.com"]),
        new ChangeContributor("pushed update 2 of this pull request", ["6f1c0e4a-guid", "frank@contoso.com"]),
    ]);

    [Theory]
    [InlineData("dana", "dana", "wrote this pull request, and approvers.allow-author is false: another person must supply the code")]
    [InlineData("DANA", "DANA", "wrote this pull request, and approvers.allow-author is false")]
    [InlineData("carol", "carol", "pushed the head of this pull request, and approvers.allow-author is false")]
    [InlineData("bob", "Bob", "authored commit 1a2b3c4 of this pull request, and approvers.allow-author is false")]
    [InlineData("e-id", "ERIN@contoso.com", "committed 5d6e7f8 to this pull request (as erin@contoso.com), and approvers.allow-author is false")]
    [InlineData("6f1c0e4a-guid", "frank.renamed@contoso.com", "pushed update 2 of this pull request")] // matched by identity id
    [InlineData("alice", "alice", null)]
    [InlineData("danae", "danae", null)]
    public void A_writer_behind_the_change_is_refused_naming_what_they_did(string key, string name, string? refusal)
    {
        var why = Change.Refusal(new ConversationAuthor(key, name, false));

        if (refusal is null) Assert.Null(why);
        else Assert.StartsWith(refusal, why);
    }

    [Fact]
    public void People_who_cannot_be_established_refuse_everyone_fail_closed()
    {
        var alice = new ConversationAuthor("alice", "alice", false);

        Assert.Equal("who committed to pull request #12 cannot be read (HTTP 403), so approvers.allow-author: false cannot be honoured and no code counts (fail closed)",
            PeopleBehindTheChange.CannotBeEstablished("who committed to pull request #12 cannot be read (HTTP 403)").Refusal(alice));
        Assert.StartsWith("who wrote the pull request cannot be established", new PeopleBehindTheChange(null, []).Refusal(alice));
    }

    [Fact]
    public async Task The_people_are_read_once_a_run_and_a_failed_read_is_not_a_verdict()
    {
        var reads = 0;
        Task<PeopleBehindTheChange> Read(CancellationToken _) =>
            ++reads == 1 ? Task.FromException<PeopleBehindTheChange>(new GitHubException("GitHub answered HTTP 502", System.Net.HttpStatusCode.BadGateway, transient: true, null)) : Task.FromResult(Change);
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, [], AllowAuthor: false), (_, _) => Task.FromResult<RepoPermission?>(RepoPermission.Write), Read);
        var bob = new ConversationAuthor("bob", "bob", false);

        await Assert.ThrowsAsync<GitHubException>(() => approvers.CheckAsync(bob, TestContext.Current.CancellationToken));
        Assert.Null(approvers.Known(bob));
        var refused = await approvers.CheckAsync(bob, TestContext.Current.CancellationToken);
        var alice = await approvers.CheckAsync(new ConversationAuthor("alice", "alice", false), TestContext.Current.CancellationToken);

        Assert.False(refused.Allowed);
        Assert.Equal(refused, approvers.Known(bob));
        Assert.True(alice.Allowed);
        Assert.Equal(2, reads);
    }

    [Fact]
    public async Task With_allow_author_true_nobody_is_read()
    {
        var approvers = new Approvers(new ApproverPolicy(RepoPermission.Write, []), (_, _) => Task.FromResult<RepoPermission?>(RepoPermission.Write),
            _ => throw new InvalidOperationException("read although allow-author is true"));

        Assert.True((await approvers.CheckAsync(new ConversationAuthor("dana", "dana", false), TestContext.Current.CancellationToken)).Allowed);
    }

    [Theory]
    [InlineData("pull_request", """{"action":"synchronize","sender":{"login":"carol"}}""", "carol", "the pull_request synchronize event")]
    [InlineData("pull_request_target", """{"action":"synchronize","sender":{"login":"carol"}}""", "carol", "the pull_request_target synchronize event")]
    [InlineData("push", """{"pusher":{"name":"carol","email":"c@example.com"},"sender":{"login":"carol"}}""", "carol", "the push event")]
    [InlineData("pull_request", """{"action":"opened","sender":{"login":"dana"}}""", null, null)] // the opener is the author already
    [InlineData("pull_request", """{"action":"labeled","sender":{"login":"erin"}}""", null, null)] // labelling pushes nothing
    [InlineData("issue_comment", """{"action":"created","sender":{"login":"erin"}}""", null, null)]
    [InlineData("workflow_dispatch", """{"sender":{"login":"erin"}}""", null, null)]
    [InlineData("push", """{"pusher":{"name":""}}""", null, null)]
    public void The_pusher_of_the_head_is_read_where_the_event_says(string eventName, string payload, string? login, string? said)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, payload);

            var pusher = HeadPusher.Read(eventName, path);

            Assert.Equal(login, pusher?.Identities.Single());
            if (said is not null) Assert.Contains(said, pusher!.Did);
        }
        finally { File.Delete(path); }
    }
}
