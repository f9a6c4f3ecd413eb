using Microsoft.Extensions.Time.Testing;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.Gate;
using TfMfa.RunLog;
using TfMfa.Terminal;

namespace TfMfa.Tests.Conversation;

/// <summary>
/// The wait for a <c>/mfa</c> comment, its pacing and every rule about which comment counts, tested
/// once against a conversation in memory: each platform only moves comments.
/// </summary>
public sealed class ConversationChannelTests : IDisposable
{
    private const int Timeout = 30_000;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
    private readonly StringWriter _log = new();
    private readonly TerminalRunLog _runLog;
    private readonly InMemoryConversation _conversation;

    public ConversationChannelTests()
    {
        _runLog = new TerminalRunLog(_log, _log);
        _conversation = new InMemoryConversation(_clock, new(StringComparer.OrdinalIgnoreCase)
        {
            ["alice"] = RepoPermission.Write,
            ["bob"] = RepoPermission.Admin,
            ["rob"] = RepoPermission.Read,
        });
    }

    public void Dispose() => _runLog.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Log { get { _runLog.Dispose(); return _log.ToString(); } }

    private ConversationChannel Source(ApproverPolicy? policy = null)
    {
        var approvers = policy ?? new ApproverPolicy(RepoPermission.Write, []);
        return new ConversationChannel(_conversation, new Approvers(approvers, _conversation.PermissionAsync),
            request => new RequestDetails(request.Command, request.Environment, request.SerialNumber, "https://ci.example/runs/7", 7, 1, approvers, request.Deadline, GitHub.GitHubConversation.Wording),
            Poll, _clock, _runLog);
    }

    private CodeRequest Request() => new(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci", _clock.GetUtcNow().AddMinutes(10));

    /// <summary>The request <see cref="StartAsync"/> opened.</summary>
    private ICodeRequest _asked = null!;

    /// <summary>Waits (in real time, briefly) until the source has polled <paramref name="count"/> times or finished.</summary>
    private async Task PolledAsync(int count, Task waiting)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_conversation.Polls.Count < count && !waiting.IsCompleted)
            await Task.Delay(5, limit.Token);
    }

    private async Task<Task<SuppliedCode>> StartAsync(ConversationChannel source)
    {
        _asked = await source.OpenAsync(Request(), Ct);
        var waiting = _asked.NextCodeAsync(Attempt.First(3), Ct);
        await PolledAsync(1, waiting);
        return waiting;
    }

    /// <summary>Moves the clock one interval on and waits for the poll it starts.</summary>
    private async Task NextPollAsync(Task waiting)
    {
        var polls = _conversation.Polls.Count;
        _clock.Advance(Poll);
        await PolledAsync(polls + 1, waiting);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_first_code_written_after_the_request_by_an_allowed_person_is_claimed_and_taken()
    {
        var waiting = await StartAsync(Source());
        _clock.Advance(TimeSpan.FromSeconds(1));
        var code = _conversation.Write("alice", "/mfa 123456\nthanks");
        _conversation.Write("bob", "/mfa 654321");
        await NextPollAsync(waiting);

        var supplied = await waiting;

        Assert.Equal("123456", supplied.Code.Digits);
        Assert.Equal("alice", supplied.SuppliedBy);
        Assert.Equal([code.Id], _conversation.Claims);
        Assert.Contains("Took the code from ~alice's comment (deleted it so the code is no longer visible).", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task Polls_keep_a_fixed_interval()
    {
        var waiting = await StartAsync(Source());
        await NextPollAsync(waiting);
        await NextPollAsync(waiting);

        Assert.Equal([TimeSpan.Zero, Poll, Poll * 2], _conversation.Polls.Select(p => p - _conversation.Polls[0]));
        Assert.False(waiting.IsCompleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_written_before_the_request_never_counts_even_when_edited_after_it()
    {
        var early = _conversation.Write("alice", "soon");
        _clock.Advance(TimeSpan.FromSeconds(1));
        var waiting = await StartAsync(Source());
        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Edit(early, "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        await UntilAsync(() => _conversation.Removed.Contains(early.Id));
        Assert.Contains("it was written before the request (edited later), and only new comments count", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_edited_comment_never_counts_and_is_removed()
    {
        var waiting = await StartAsync(Source());
        var comment = _conversation.Write("alice", "one moment");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Edit(comment, "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        await UntilAsync(() => _conversation.Removed.Contains(comment.Id));
        Assert.Contains("it was edited, and only unedited new comments count", Log);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("/mfa 123\u200B456")]
    [InlineData("    /mfa 123456")]
    [InlineData("/mfa １２３４５６")]
    public async Task A_disguised_code_never_counts_gets_no_reply_and_is_removed(string body)
    {
        var waiting = await StartAsync(Source());
        var comment = _conversation.Write("alice", body);
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        Assert.Empty(_conversation.Replies);
        await UntilAsync(() => _conversation.Removed.Contains(comment.Id));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_from_someone_below_min_permission_is_removed_unused_and_the_next_allowed_code_is_taken()
    {
        var waiting = await StartAsync(Source());
        var robs = _conversation.Write("rob", "/mfa 111111");
        var alices = _conversation.Write("alice", "/mfa 222222");
        await NextPollAsync(waiting);

        var supplied = await waiting;

        Assert.Equal(("222222", "alice"), (supplied.Code.Digits, supplied.SuppliedBy));
        // rob's permission was read ahead with alice's, so his comment is refused without a claim.
        Assert.Equal([alices.Id], _conversation.Claims);
        await UntilAsync(() => _conversation.Removed.Contains(robs.Id));
        Assert.Contains("Ignored a /mfa comment by ~rob: has read permission, below approvers.min-permission (write) (the comment was removed, so its code is not visible).", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_users_list_and_bots_are_judged_without_a_permission_read()
    {
        var waiting = await StartAsync(Source(new ApproverPolicy(RepoPermission.Write, ["bob"])));
        _conversation.Write("alice", "/mfa 111111");
        _conversation.Write("ci", "/mfa 333333", isBot: true);
        _conversation.Write("bob", "/mfa 222222");
        await NextPollAsync(waiting);

        var supplied = await waiting;

        Assert.Equal("bob", supplied.SuppliedBy);
        Assert.Equal(["bob"], _conversation.PermissionReads);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_by_a_deleted_account_is_ignored_and_removed()
    {
        var waiting = await StartAsync(Source());
        var ghost = _conversation.Write(null, "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        await UntilAsync(() => _conversation.Removed.Contains(ghost.Id));
        Assert.Contains("by a deleted account: nobody can tell who wrote it", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_claim_lost_to_another_run_leaves_the_wait_going_until_a_code_of_its_own()
    {
        var waiting = await StartAsync(Source());
        var first = _conversation.Write("alice", "/mfa 111111");
        _conversation.TakenByAnotherRun.Add(first.Id);
        await NextPollAsync(waiting);
        Assert.False(waiting.IsCompleted);

        _conversation.Write("alice", "/mfa 222222");
        await NextPollAsync(waiting);

        Assert.Equal("222222", (await waiting).Code.Digits);
        Assert.Contains("was taken by another run waiting on the test conversation; still waiting.", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task Mfa_cancel_by_an_allowed_person_ends_the_wait_and_says_so_on_the_request()
    {
        var source = Source();
        var waiting = await StartAsync(source);
        _conversation.Write("rob", "/mfa cancel");
        _conversation.Write("alice", "/mfa cancel");
        await NextPollAsync(waiting);

        var cancelled = await Assert.ThrowsAsync<CodeWaitCancelledException>(() => waiting);

        Assert.Equal("Cancelled by ~alice with /mfa cancel.", cancelled.Message);
        Assert.Contains("MFA wait cancelled", Assert.Single(_conversation.Edits));
        Assert.True(_conversation.Concluded);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_near_miss_from_an_allowed_person_is_removed_and_answered_with_how_to_get_it_right()
    {
        var waiting = await StartAsync(Source());
        var typo = _conversation.Write("alice", "/mfa 12345");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Contains(typo.Id, _conversation.Removed);
        Assert.StartsWith("~alice ", Assert.Single(_conversation.Replies));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_rate_limit_pauses_polling_for_as_long_as_the_platform_asked_and_the_wait_goes_on()
    {
        var waiting = await StartAsync(Source());
        _conversation.PollFaults.Enqueue(InMemoryConversation.RateLimited(TimeSpan.FromSeconds(90)));
        await NextPollAsync(waiting); // answered with the rate limit
        var limited = _conversation.Polls[^1];

        _clock.Advance(TimeSpan.FromSeconds(60));
        await Task.Delay(50, Ct);
        Assert.Equal(2, _conversation.Polls.Count);

        _conversation.Write("alice", "/mfa 123456");
        _clock.Advance(TimeSpan.FromSeconds(30));
        await PolledAsync(3, waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
        Assert.Equal(TimeSpan.FromSeconds(90), _conversation.Polls[2] - limited);
        Assert.Contains("Memory answers again; still waiting for a code.", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task Removals_for_someone_who_may_not_supply_codes_stop_at_the_cap()
    {
        var waiting = await StartAsync(Source());
        for (var i = 0; i < RemovalBudget.MaxRemovalsPerWriter + 4; i++)
            _conversation.Write("mallory", "    /mfa 123456");
        await NextPollAsync(waiting);

        await UntilAsync(() => _conversation.Removed.Count >= RemovalBudget.MaxRemovalsPerWriter);
        await Task.Delay(50, Ct);
        Assert.Equal(RemovalBudget.MaxRemovalsPerWriter, _conversation.Removed.Count);
        Assert.Contains("mallory has posted more /mfa comments that cannot count than TfMfa removes for one run", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task After_a_refused_code_the_request_says_so_and_how_many_attempts_are_left()
    {
        var source = Source();
        var waiting = await StartAsync(source);
        _conversation.Write("alice", "/mfa 111111");
        await NextPollAsync(waiting);
        await waiting;

        var second = _asked.NextCodeAsync(new Attempt(2, 3, new Rejection(await waiting, "wrong code")), Ct);
        _conversation.Write("alice", "/mfa 222222");
        await NextPollAsync(second);

        Assert.Equal("222222", (await second).Code.Digits);
        var edit = Assert.Single(_conversation.Edits);
        Assert.Contains("🔴 The code from ~alice was not accepted: wrong code", edit);
        Assert.Contains("2 attempts left", edit);
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition()) await Task.Delay(5, limit.Token);
    }

    /// <summary>The id the waiting request shows now (drawn at random; an edit may have re-drawn it).</summary>
    private string OurId => RequestCommentText.IdInMarker(_conversation.TextOf(_conversation.Request!))!;

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_an_id_that_two_open_requests_have_is_taken_by_neither_and_this_request_draws_a_new_id()
    {
        var waiting = await StartAsync(Source());
        var copied = OurId;
        _conversation.PostOtherRequest(copied); // a look-alike request posted with the same identity, copying the id
        var addressed = _conversation.Write("alice", $"/mfa {copied} 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Contains(addressed.Id, _conversation.Removed);
        Assert.NotEqual(copied, OurId);
        var reply = Assert.Single(_conversation.Replies);
        Assert.Contains($"2 open TfMfa requests here have the id `{copied}` (one may be a look-alike), so none takes this code", reply);
        Assert.Contains($"this one is now `{OurId}`", reply);

        _conversation.Write("alice", $"/mfa {OurId} 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task While_another_request_is_open_a_bare_code_is_taken_by_none_and_the_reply_names_this_requests_id()
    {
        _conversation.PostOtherRequest("wxyz");
        var waiting = await StartAsync(Source());
        var bare = _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        Assert.Contains(bare.Id, _conversation.Removed);
        var reply = Assert.Single(_conversation.Replies);
        Assert.Contains($"`/mfa {OurId} 123456`", reply);
        Assert.Contains("2 TfMfa requests are open here", reply);

        _conversation.Write("alice", $"/mfa {OurId} 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_another_open_request_is_left_to_that_run()
    {
        _conversation.PostOtherRequest("wxyz");
        var waiting = await StartAsync(Source());
        var theirs = _conversation.Write("alice", "/mfa wxyz 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        Assert.DoesNotContain(theirs.Id, _conversation.Removed);
        Assert.Contains("names request `wxyz`, not this one", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_no_open_request_is_removed_at_once_and_the_reply_lists_the_open_ids()
    {
        _conversation.PostOtherRequest("wxyz");
        var waiting = await StartAsync(Source());
        var typo = _conversation.Write("alice", "/mfa wxzy 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Equal([typo.Id], _conversation.Claims); // claimed, so of two runs reading it one answers
        Assert.Contains(typo.Id, _conversation.Removed);
        var reply = Assert.Single(_conversation.Replies);
        Assert.StartsWith("~alice `wxzy` matches no open TfMfa request here", reply);
        Assert.Contains($"The open requests are `{OurId}`, `wxyz`", reply);
        Assert.Contains("Your comment was removed", reply);

        _conversation.Write("alice", $"/mfa {OurId} 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_no_open_request_from_someone_who_may_not_supply_codes_is_removed_without_a_reply()
    {
        var waiting = await StartAsync(Source());
        var typo = _conversation.Write("rob", "/mfa wxzy 123456");
        await NextPollAsync(waiting);

        await UntilAsync(() => _conversation.Removed.Contains(typo.Id));
        Assert.Empty(_conversation.Replies);
        Assert.Empty(_conversation.Claims);
        Assert.False(waiting.IsCompleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task When_the_open_requests_cannot_be_listed_a_code_naming_another_id_is_left_alone_and_the_log_says_why()
    {
        _conversation.RequestListingFault = new ConversationException("403: may not read", System.Net.HttpStatusCode.Forbidden, transient: false, null);
        var waiting = await StartAsync(Source());
        var other = _conversation.Write("alice", "/mfa wxzy 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.DoesNotContain(other.Id, _conversation.Removed);
        Assert.Empty(_conversation.Replies);
        Assert.Contains("could not be listed (403: may not read); it is left alone, in case that request is open.", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task With_one_request_open_the_bare_form_works_as_before_and_the_request_shows_its_id()
    {
        var waiting = await StartAsync(Source());
        _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
        Assert.Contains($"(request `{OurId}`)", _conversation.Request!.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task With_personal_devices_someone_without_one_cannot_supply_a_code()
    {
        var devices = new Dictionary<string, string> { ["bob"] = "arn:aws:iam::123456789012:mfa/bob" };
        var waiting = await StartAsync(Source(new ApproverPolicy(RepoPermission.Write, [], "default", devices)));
        _conversation.Write("alice", "/mfa 111111");
        _conversation.Write("bob", "/mfa 222222");
        await NextPollAsync(waiting);

        Assert.Equal("bob", (await waiting).SuppliedBy);
        Assert.Contains("has no MFA device of their own under devices:", Log);
        Assert.DoesNotContain("alice", _conversation.PermissionReads);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_removal_the_platform_refuses_is_a_warning_and_the_wait_goes_on()
    {
        _conversation.RefusesRemovals = true;
        var waiting = await StartAsync(Source());
        _conversation.Write("alice", "/mfa 12345");
        await NextPollAsync(waiting);
        _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
        Assert.Contains("stays visible until it expires", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_run_that_needs_a_second_code_asks_anew_and_never_offers_the_approvals_code_twice()
    {
        var approvalReads = 0;
        MfaCode.TryParse("111111", out var approved);
        var codes = new ApprovalThenComments(
            (_, _) => { approvalReads++; return Task.FromResult<SuppliedCode?>(new SuppliedCode(approved!, "alice")); },
            Source(), _ => { });

        // The first code (the plan of an apply under plans-and-applies) is the approval's.
        var firstRequest = await codes.OpenAsync(Request(), Ct);
        var first = await firstRequest.NextCodeAsync(Attempt.First(3), Ct);
        Assert.Equal("111111", first.Code.Digits);
        Assert.True(first.FromApproval);
        await firstRequest.CloseAsync(new Outcome.Authenticated(first, null), Ct);
        Assert.Null(_conversation.Request); // nobody was asked on the conversation

        // The second is asked for on the conversation: a new request, and the approval is not read again.
        var secondRequest = await codes.OpenAsync(Request() with { Command = TerraformCommand.Apply }, Ct);
        var waiting = secondRequest.NextCodeAsync(Attempt.First(3), Ct);
        await PolledAsync(1, waiting);
        var second = _conversation.Request!;
        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Write("alice", "/mfa 222222");
        await NextPollAsync(waiting);
        Assert.Equal("222222", (await waiting).Code.Digits);
        Assert.Equal(1, approvalReads);

        // After the second code is taken, a third request would be new again (one request per code).
        await secondRequest.CloseAsync(new Outcome.Authenticated(new SuppliedCode(approved!, "alice"), null), Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var third = (await codes.OpenAsync(Request(), Ct)).NextCodeAsync(Attempt.First(3), stop.Token);
        await PolledAsync(3, third);
        Assert.NotEqual(second.Id, _conversation.Request!.Id);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_runs_own_earlier_request_never_counts_as_another_open_one_even_if_its_final_edit_failed()
    {
        var source = Source();
        var first = await StartAsync(source);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Write("alice", "/mfa 111111");
        await NextPollAsync(first);
        var taken = await first;
        // The first request's edit to 'authenticated' does not land: it still reads as waiting.
        _conversation.RefusesEdits = true;
        await _asked.CloseAsync(new Outcome.Authenticated(taken, null), Ct);

        var polls = _conversation.Polls.Count;
        var second = (await source.OpenAsync(Request() with { Command = TerraformCommand.Apply }, Ct)).NextCodeAsync(Attempt.First(3), Ct);
        await PolledAsync(polls + 1, second);
        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Write("alice", "/mfa 222222");
        await NextPollAsync(second);

        Assert.Equal("222222", (await second).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task Requests_posted_as_a_user_account_are_known_by_that_identity_and_a_bare_code_is_taken_by_none()
    {
        // A personal access token as github-token: every run's requests are that user's comments, not a bot's.
        (_conversation.Poster, _conversation.PosterIsBot) = ("ci-user", false);
        _conversation.PostOtherRequest("wxyz", poster: "ci-user", isBot: false);
        var waiting = await StartAsync(Source());
        var bare = _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.False(waiting.IsCompleted);
        Assert.Empty(_conversation.Claims);
        Assert.Contains(bare.Id, _conversation.Removed);
        Assert.Contains("2 TfMfa requests are open here", Assert.Single(_conversation.Replies));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_look_alike_request_by_anyone_but_the_identity_that_posts_requests_never_counts()
    {
        _conversation.PostOtherRequest("wxyz", poster: "mallory", isBot: false);
        _conversation.PostOtherRequest("wxzz", poster: "some-app[bot]");
        var waiting = await StartAsync(Source());
        _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_request_past_its_deadline_or_of_a_completed_run_is_not_open_and_is_marked_expired()
    {
        var stale = _conversation.PostOtherRequest("wxyz", runId: 41, deadline: _clock.GetUtcNow().AddMinutes(-1));
        var dead = _conversation.PostOtherRequest("wxzz", runId: 42);
        _conversation.CompletedRuns[42] = true;
        var waiting = await StartAsync(Source());
        _conversation.Write("alice", "/mfa 123456");
        await NextPollAsync(waiting);

        Assert.Equal("123456", (await waiting).Code.Digits);
        await UntilAsync(() => _conversation.OtherEdits.Count == 2);
        Assert.Contains("has passed", _conversation.TextOf(stale));
        Assert.Contains("its run (42) has completed", _conversation.TextOf(dead));
        Assert.All(new[] { stale, dead }, r => Assert.False(RequestCommentText.IsWaiting(_conversation.TextOf(r))));
        Assert.Equal([42], _conversation.RunReads); // the stale one is judged by its deadline, without a read
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_for_a_request_someone_else_edited_is_refused_and_a_fresh_request_with_a_new_id_asks_again()
    {
        var source = Source();
        var waiting = await StartAsync(source);
        var first = _conversation.Request!;
        var firstId = OurId;
        Assert.Null(await _asked.RewrittenAsync(Ct));
        _conversation.EditRequestAsSomeoneElse(first, _conversation.TextOf(first).Replace("production", "sandbox", StringComparison.Ordinal));
        Assert.Contains("was edited by someone other than TfMfa", await _asked.RewrittenAsync(Ct));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var code = _conversation.Write("bob", "/mfa 123456");
        await NextPollAsync(waiting);
        await UntilAsync(() => _conversation.Replies.Count == 1);

        Assert.False(waiting.IsCompleted);
        Assert.Contains(code.Id, _conversation.Removed);
        var fresh = _conversation.Request!;
        Assert.NotEqual(first.Id, fresh.Id);
        Assert.NotEqual(firstId, OurId);
        // The last failure renders as literal text (MarkdownText), the id's backticks included.
        Assert.Contains(TfMfa.RunLog.MarkdownText.Text($"Request `{firstId}` was changed by someone other than TfMfa"), fresh.Body);
        Assert.Contains("This request was changed by someone other than TfMfa: no code is taken for it", _conversation.TextOf(first));
        Assert.Contains($"A new request (`{OurId}`) replaces it", Assert.Single(_conversation.Replies));
        Assert.Null(await _asked.RewrittenAsync(Ct));

        _clock.Advance(TimeSpan.FromSeconds(1));
        _conversation.Write("bob", $"/mfa {OurId} 654321");
        await NextPollAsync(waiting);
        Assert.Equal("654321", (await waiting).Code.Digits);
    }

    [Fact(Timeout = Timeout)]
    public async Task Where_every_read_counts_a_request_past_its_fresh_minutes_is_read_at_most_six_times_a_minute()
    {
        _conversation.ReadsAreCounted = true;
        var waiting = await StartAsync(Source());
        // Fresh: read every poll interval, so a code reaches STS within half of one.
        while (_conversation.Polls.Count < 1 + (int)(PollSchedule.FreshFor / Poll))
            await NextPollAsync(waiting);
        var polls = _conversation.Polls.Count;

        _clock.Advance(Poll);
        await Task.Delay(200, Ct);
        Assert.Equal(polls, _conversation.Polls.Count); // past its fresh minutes: the interval stretched to 10 s
        _clock.Advance(PollSchedule.SteadyInterval - Poll);
        await PolledAsync(polls + 1, waiting);
        Assert.Equal(polls + 1, _conversation.Polls.Count);
        Assert.False(waiting.IsCompleted);
    }

    [Theory]
    [InlineData(2, 0, true, 2)]
    [InlineData(2, 119, true, 2)]
    [InlineData(2, 120, true, 10)]
    [InlineData(2, 600, false, 2)]
    [InlineData(30, 600, true, 30)]
    public void The_poll_interval_stretches_only_where_reads_count_and_only_once_the_request_is_no_longer_fresh(int poll, int since, bool counted, int expected) =>
        Assert.Equal(TimeSpan.FromSeconds(expected), PollSchedule.IntervalAt(TimeSpan.FromSeconds(poll), TimeSpan.FromSeconds(since), counted));
}
