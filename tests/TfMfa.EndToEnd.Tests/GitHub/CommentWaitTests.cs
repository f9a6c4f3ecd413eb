using Microsoft.Extensions.Time.Testing;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Gate;
using TfMfa.Conversation;
using TfMfa.GitHub;
using TfMfa.RunLog;
using TfMfa.StandIns.GitHub;

namespace TfMfa.EndToEnd.GitHub;

/// <summary>
/// The <c>/mfa</c> wait loop on a fake clock, against the GitHub stand-in through the real Octokit
/// client. Both run on the same fake clock, so poll pacing and Retry-After are measured, not slept.
/// </summary>
public sealed class CommentWaitTests : IAsyncLifetime
{
    private const int Timeout = 60_000;
    private const int Issue = 12;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));
    private readonly StringWriter _log = new();
    private GitHubStandIn _github = null!;
    private OctokitGitHubApi _api = null!;

    public async ValueTask InitializeAsync()
    {
        _github = await GitHubStandIn.StartAsync(clock: _clock);
        _github.AddUser("alice", "write");
        _github.AddUser("bob", "write");
        _github.AddUser("mallory", "read");
        _api = new OctokitGitHubApi(new GitHubContext(_github.Url, "https://github.com", _github.Owner, _github.Repository, 77, 1, "pull_request", "abc", "octocat", null, Issue),
            _github.Token, _clock);
    }

    public async ValueTask DisposeAsync() => await _github.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConversationChannel Source(ApproverPolicy? policy = null)
    {
        var approvers = policy ?? new ApproverPolicy(RepoPermission.Write, []);
        return new ConversationChannel(new GitHubConversation(_api, _ => Task.FromResult(Issue)), new Approvers(approvers, (author, ct) => _api.GetPermissionAsync(author.Key, ct)),
            request => new RequestDetails(request.Command, request.Environment, request.SerialNumber, "https://github.com/acme/infra/actions/runs/77", 77, 1, approvers, request.Deadline, GitHubConversation.Wording),
            Poll, _clock, new GitHubRunLog(_log, _log, null, null));
    }

    private CodeRequest Request() => new(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci", _clock.GetUtcNow().AddMinutes(10));

    // The polls' reads of the thread (comments since the request). A bare code also makes the same poll read the whole
    // thread (since the epoch) for other open requests; counting that read as a poll let a test assert before the poll ended.
    private List<GitHubRequestRecord> Lists() =>
        [.. _github.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith($"/repos/acme/infra/issues/{Issue}/comments", StringComparison.Ordinal)
            && !r.Path.Contains("since=1970", StringComparison.Ordinal))];

    private StoredComment RequestComment() => _github.CommentsOn(Issue).First(c => c.User.IsBot);

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition()) await Task.Delay(5, patience.Token);
    }

    /// <summary>Steps the clock until the loop has polled once more (a step may be lost while the loop is busy, so it keeps stepping).</summary>
    private async Task NextPollAsync(Task? unlessDone = null)
    {
        var before = Lists().Count;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Lists().Count == before && unlessDone?.IsCompleted != true)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(10, patience.Token);
        }
    }

    private async Task<Task<SuppliedCode>> StartAsync(ConversationChannel source)
    {
        var waiting = (await source.OpenAsync(Request(), Ct)).NextCodeAsync(Attempt.First(3), Ct);
        await UntilAsync(() => Lists().Count >= 1 || waiting.IsCompleted);
        return waiting;
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_posted_on_a_later_poll_is_claimed_by_deleting_it()
    {
        var waiting = await StartAsync(Source());
        await NextPollAsync();
        await NextPollAsync();
        var comment = _github.PostComment(Issue, "alice", "/mfa 123456");
        await NextPollAsync(waiting);

        var code = await waiting;

        Assert.Equal(("123456", "alice"), (code.Code.Digits, code.SuppliedBy));
        Assert.True(comment.Deleted);
        Assert.Contains(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith($"/issues/comments/{comment.Id}/reactions", StringComparison.Ordinal));
        var request = RequestComment();
        Assert.StartsWith("<!-- tfmfa:request run=77 attempt=1 environment=production command=plan deadline=", request.Body);
        Assert.Contains("/mfa 123456", request.Body); // the example in the instructions, not a code
        Assert.Contains("⏳ Waiting until **2026-11-28 12:10:00 UTC**", request.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_written_before_the_request_never_counts_even_when_edited_after_it()
    {
        var old = _github.PostComment(Issue, "alice", "looks good");
        _clock.Advance(TimeSpan.FromMinutes(1));
        var waiting = await StartAsync(Source());
        _github.EditComment(old.Id, "/mfa 123456");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        await UntilAsync(() => old.Deleted); // v1.1: a code parked by an edit is not left visible
        Assert.Contains("Ignored a /mfa comment by @alice: it was written before the request", _log.ToString());

        _github.PostComment(Issue, "alice", "/mfa 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("\u200B/mfa 123456")]
    [InlineData("\uFEFF/mfa 123456")]
    [InlineData("/mfa \u0661\u0662\u0663\u0664\u0665\u0666")]
    [InlineData("    /mfa 123456")]
    public async Task A_disguised_code_never_counts_gets_no_reply_and_is_removed(string body)
    {
        var waiting = await StartAsync(Source());
        var disguised = _github.PostComment(Issue, "alice", body);
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        await UntilAsync(() => disguised.Deleted);
        Assert.Contains("Ignored a /mfa comment by @alice: it only looks like a command", _log.ToString());
        Assert.Equal(2, _github.CommentsOn(Issue).Count); // the request and the disguise: no reply
        _github.PostComment(Issue, "alice", "/mfa 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_by_a_deleted_account_is_ignored_with_a_log_line_and_removed()
    {
        var waiting = await StartAsync(Source());
        var ghost = _github.PostCommentFromDeletedAccount(Issue, "/mfa 123456");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        await UntilAsync(() => ghost.Deleted);
        Assert.Contains("Ignored a /mfa comment by a deleted account: nobody can tell who wrote it", _log.ToString());
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("/collaborators/", StringComparison.Ordinal));
        _github.PostComment(Issue, "alice", "/mfa 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_flood_of_codes_from_people_who_may_not_supply_them_costs_a_bounded_budget_and_does_not_stall_the_wait()
    {
        var strangers = Enumerable.Range(1, 10).Select(i => $"stranger{i}").ToArray();
        foreach (var stranger in strangers) _github.AddUser(stranger, "read");
        var waiting = await StartAsync(Source());
        var before = _github.Requests.Count(r => r.Counted);
        for (var i = 0; i < 1000; i++) _github.PostComment(Issue, strangers[i % strangers.Length], $"/mfa {100000 + i}");
        _github.PostComment(Issue, "alice", "/mfa 654321");

        while (!waiting.IsCompleted) await NextPollAsync(waiting);

        Assert.Equal("654321", (await waiting).Code.Digits);
        var spent = _github.Requests.Count(r => r.Counted) - before;
        var reads = _github.Requests.Count(r => r.Path.Contains("/collaborators/", StringComparison.Ordinal));
        var removals = _github.Requests.Count(r => r.Method == "DELETE");
        Assert.Equal(strangers.Length + 1, reads); // one permission read per person, alice included
        Assert.True(removals <= strangers.Length * RemovalBudget.MaxRemovalsPerWriter + 1, $"{removals} removals");
        Assert.True(spent < 100, $"the flood cost {spent} counted requests");
        Assert.Contains("has posted more /mfa comments that cannot count than TfMfa removes for one run", _log.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task An_edited_comment_never_counts()
    {
        var waiting = await StartAsync(Source());
        var comment = _github.PostComment(Issue, "alice", "one moment");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _github.EditComment(comment.Id, "/mfa 123456");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        Assert.Contains("Ignored a /mfa comment by @alice: it was edited", _log.ToString());
        await UntilAsync(() => comment.Deleted); // v1.1: whoever can edit a comment cannot park a code there
    }

    [Fact(Timeout = Timeout)]
    public async Task People_below_min_permission_off_the_list_or_bots_are_ignored_with_a_log_line_that_never_holds_the_code()
    {
        _github.AddUser("deploy-bot[bot]", "admin", isBot: true);
        var waiting = await StartAsync(Source(new ApproverPolicy(RepoPermission.Write, ["alice"])));
        _github.PostComment(Issue, "mallory", "/mfa 111111");
        _github.PostComment(Issue, "bob", "/mfa 222222");
        _github.PostComment(Issue, "deploy-bot[bot]", "/mfa 333333");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        var log = _log.ToString();
        Assert.Contains("Ignored a /mfa comment by @mallory: not on approvers.users", log);
        Assert.Contains("Ignored a /mfa comment by @bob: not on approvers.users", log);
        Assert.Contains("Ignored a /mfa comment by @deploy-bot[bot]: bot accounts never supply codes", log);
        Assert.DoesNotContain("111111", log);
        Assert.DoesNotContain("222222", log);
        Assert.DoesNotContain("333333", log);

        _github.PostComment(Issue, "alice", "/mfa 444444");
        await NextPollAsync(waiting);
        Assert.Equal("alice", (await waiting).SuppliedBy);
    }

    [Fact(Timeout = Timeout)]
    public async Task Min_permission_is_checked_against_the_repository_role()
    {
        var waiting = await StartAsync(Source());
        _github.PostComment(Issue, "mallory", "/mfa 111111");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        Assert.Contains("Ignored a /mfa comment by @mallory: has read permission, below approvers.min-permission (write)", _log.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_comment_another_run_claimed_first_is_skipped()
    {
        var waiting = await StartAsync(Source());
        _github.InjectFault("DELETE", "/issues/comments/", 404, message: "Not Found");
        _github.PostComment(Issue, "alice", "/mfa 111111");
        await NextPollAsync();
        await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        Assert.Contains("The /mfa comment by @alice was taken by another run waiting on #12; still waiting.", _log.ToString());

        _github.PostComment(Issue, "alice", "/mfa 222222");
        await NextPollAsync(waiting);
        Assert.Equal("222222", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task Mfa_cancel_from_an_approver_ends_the_wait_and_says_so_on_the_request()
    {
        var waiting = await StartAsync(Source());
        _github.PostComment(Issue, "alice", "/mfa cancel");
        await NextPollAsync(waiting);

        var error = await Assert.ThrowsAsync<CodeWaitCancelledException>(() => waiting);

        Assert.Equal("Cancelled by @alice with /mfa cancel.", error.Message);
        Assert.Contains("### ⛔ MFA wait cancelled", RequestComment().Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task Five_digits_get_a_reply_and_the_near_code_is_removed()
    {
        var waiting = await StartAsync(Source());
        var typo = _github.PostComment(Issue, "alice", "/mfa 12345");
        await NextPollAsync();
        await UntilAsync(() => _github.CommentsOn(Issue).Count(c => c.User.IsBot) == 2);

        Assert.False(waiting.IsCompleted);
        Assert.True(typo.Deleted);
        Assert.Equal("@alice A code has 6 digits; that one had 5. Send the 6 digits your authenticator shows now, like `/mfa 123456`.",
            _github.CommentsOn(Issue).Last(c => c.User.IsBot).Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_secondary_rate_limit_is_waited_out_as_retry_after_says()
    {
        var waiting = await StartAsync(Source());
        _github.InjectFault("GET", "/issues/12/comments", 403, headers: new Dictionary<string, string> { ["Retry-After"] = "30" },
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");
        await NextPollAsync();
        var limited = Lists()[^1];
        await NextPollAsync();
        var next = Lists()[^1];

        Assert.Equal(403, limited.Status);
        Assert.True(next.At - limited.At >= TimeSpan.FromSeconds(30), $"polled again after {next.At - limited.At}");
        Assert.Contains("::warning::could not read the comments of #12: GitHub's secondary rate limit", _log.ToString());
        Assert.False(waiting.IsCompleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_exhausted_rate_limit_is_waited_out_until_its_reset()
    {
        var waiting = await StartAsync(Source());
        _github.ExhaustRateLimit(TimeSpan.FromSeconds(45));
        var exhaustedAt = _clock.GetUtcNow();
        await NextPollAsync();
        var refused = Lists()[^1];
        await NextPollAsync();
        var next = Lists()[^1];

        Assert.Equal(403, refused.Status);
        Assert.NotEqual(403, next.Status);
        Assert.True(next.At - exhaustedAt >= TimeSpan.FromSeconds(45), $"polled again {next.At - exhaustedAt} after the budget ran out");
        Assert.Contains("GitHub's rate limit is used up (0 of 1000 left)", _log.ToString());
        Assert.False(waiting.IsCompleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task Server_errors_and_dropped_connections_do_not_end_the_wait()
    {
        var waiting = await StartAsync(Source());
        // More faults in a row than the HTTP layer's retries absorb, so the wait loop sees them.
        _github.InjectFault("GET", "/issues/12/comments", 502, count: 3);
        _github.InjectFault("GET", "/issues/12/comments", 0, count: 3);
        _github.InjectFault("GET", "/issues/12/comments", 503, count: 3);
        for (var i = 0; i < 9; i++) await NextPollAsync();
        _github.PostComment(Issue, "alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
        Assert.Contains("GitHub answers again; still waiting for a code.", _log.ToString());
        Assert.Contains("::warning::could not read the comments of #12:", _log.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task Waiting_ten_minutes_costs_at_most_two_counted_requests_in_any_minute()
    {
        var started = _clock.GetUtcNow();
        var waiting = await StartAsync(Source());
        while (_clock.GetUtcNow() - started < TimeSpan.FromMinutes(10)) await NextPollAsync();

        Assert.False(waiting.IsCompleted);
        var counted = _github.Requests.Where(r => r.Counted).ToList();
        var perMinute = counted.GroupBy(r => (int)((r.At - started).TotalMinutes)).Select(g => g.Count()).ToList();
        Assert.All(perMinute, count => Assert.True(count <= 2, $"{count} counted requests in one minute"));
        Assert.True(counted.Count <= 25, $"{counted.Count} counted requests in 10 minutes");
        Assert.True(Lists().Count >= 290, $"only {Lists().Count} polls in 10 minutes at a 2 s interval");
        Assert.All(Lists().Skip(1), r => Assert.Equal(304, r.Status));
    }
}
