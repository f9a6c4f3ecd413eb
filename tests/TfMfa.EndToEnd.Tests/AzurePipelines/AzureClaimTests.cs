using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// Two jobs waiting on one pull request never share a code. A bare code while both wait is taken by
/// neither; two jobs of one run with the same command, environment and directory draw different
/// ids, and a code addressed to one is taken by that job alone, even where the build identity may
/// not delete the comment (the claim is a reply the service numbers in order, and the lowest wins).
/// </summary>
public sealed class AzureClaimTests
{
    private const int Timeout = 180_000;

    [Theory(Timeout = Timeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_runs_on_one_pull_request_never_use_the_same_code(bool mayDeleteOthersComments)
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Azure.BuildIdentityMayDeleteOthersComments = mayDeleteOthersComments;
        var first = scenario.Environment();
        var second = scenario.Environment(); // another job of the same run: the same request id

        var runs = new[] { AzureScenario.RunTaskAsync(first, AzureScenario.RunTimeout, TestContext.Current.CancellationToken), AzureScenario.RunTaskAsync(second, AzureScenario.RunTimeout, TestContext.Current.CancellationToken) };
        await UntilAsync(() => scenario.RequestThreads().Count == 2, runs);
        // A bare code names neither request: taken by none, and the reply says how to name one.
        var bare = scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {scenario.CurrentCode()}");
        await UntilAsync(() => scenario.Azure.Threads(AzureScenario.PullRequest).Any(t => t.Comments.Any(c => c.Content.Contains("a bare `/mfa` is taken by none", StringComparison.Ordinal))), runs);
        Assert.Empty(scenario.CodesSentToSts);
        // Two jobs of one run with the same command, environment and directory: ids are drawn, so they differ.
        var ids = scenario.RequestThreads().Select(t => TfMfa.RunLog.RequestCommentText.IdInMarker(t.Comments[0].Content)!).ToList();
        Assert.Equal(2, ids.Distinct().Count());

        scenario.NextCodeWindow();
        var codes = new List<string> { scenario.CurrentCode() };
        scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {ids[0]} {codes[0]}");

        // The first request's run takes it; the other is still waiting and gets the next code.
        await UntilAsync(() => scenario.RequestThreads()[0].Comments[0].Content.Contains("Authenticated with MFA", StringComparison.Ordinal), runs);
        Assert.Contains("MFA code needed", scenario.RequestThreads()[1].Comments[0].Content);
        Assert.Single(scenario.CodesSentToSts);
        scenario.NextCodeWindow();
        codes.Add(scenario.CurrentCode());
        scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {ids[1]} {codes[1]}");

        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.False(r.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), r.ToString()));
        Assert.Equal(codes, scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.Equal(2, scenario.Aws.IssuedSessions.Count);
        var answers = scenario.Azure.Threads(AzureScenario.PullRequest).Where(t => t.Comments[0].Author.UniqueName == "alice@contoso.com" && t.Comments[0] != bare).ToList();
        Assert.All(answers, t => Assert.Equal(mayDeleteOthersComments, t.Comments[0].IsDeleted));
        if (!mayDeleteOthersComments)
            // The first code stayed visible until it expired; only the run it named claimed it.
            Assert.Contains(results, r => r.StandardOutput.Contains("it stays visible until it expires: Azure DevOps does not let the build identity delete another person's comment (403)", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_no_open_request_is_removed_and_answered_in_its_thread()
    {
        await using var scenario = await AzureScenario.StartAsync();
        var run = scenario.RunAsync();
        await UntilAsync(() => scenario.RequestThreads().Count == 1, [run]);
        var id = TfMfa.RunLog.RequestCommentText.IdInMarker(scenario.Request()!.Content)!;
        var typoId = new string([.. id.Reverse()]) is var reversed && reversed != id ? reversed : "zzzz";
        var typo = scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {typoId} {scenario.CurrentCode()}");
        await UntilAsync(() => typo.IsDeleted, [run]);
        scenario.NextCodeWindow();
        var code = scenario.CurrentCode();
        scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {id} {code}");

        var result = await run;

        Assert.False(result.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), result.ToString());
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
        var thread = scenario.Azure.Threads(AzureScenario.PullRequest).Single(t => t.Comments[0] == typo);
        var reply = Assert.Single(thread.Comments, c => c.Content.Contains("matches no open TfMfa request here", StringComparison.Ordinal));
        Assert.StartsWith($"alice@contoso.com `{typoId}` matches no open TfMfa request here", reply.Content);
        Assert.Contains($"The open requests are `{id}`", reply.Content);
    }

    [Fact(Timeout = Timeout)]
    public async Task Requests_of_builds_that_completed_or_are_past_their_deadline_are_not_open_and_are_marked_expired()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.WriteConfig(AzureScenario.Config + "  timeout: 60s\n"); // without the fix the bare code is refused, and the run gives up after this
        scenario.Azure.SetBuild(4100, "completed", "canceled");
        var dead = scenario.Azure.PostThread(AzureScenario.PullRequest, scenario.Azure.BuildIdentity.UniqueName, OldRequest("dddd", 4100, DateTimeOffset.UtcNow.AddHours(1)));
        var stale = scenario.Azure.PostThread(AzureScenario.PullRequest, scenario.Azure.BuildIdentity.UniqueName, OldRequest("ssss", 4101, DateTimeOffset.UtcNow.AddMinutes(-5)));
        var code = "";
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {code = scenario.CurrentCode()}");

        var result = await scenario.RunAsync();

        Assert.False(result.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), result.ToString());
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.Contains("It no longer waits: its run (4100) has completed.", dead.Content);
        Assert.Contains("It no longer waits: its deadline", stale.Content);
        Assert.All(scenario.Azure.Threads(AzureScenario.PullRequest).Where(t => t.Comments[0] == dead || t.Comments[0] == stale), t => Assert.Equal("closed", t.Status));
        Assert.Contains(scenario.Azure.Requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/_apis/build/builds/4100?", StringComparison.Ordinal) && r.Status == 200);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_forged_claim_reply_does_not_make_the_waiting_run_give_up_a_code()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.WriteConfig(AzureScenario.Config + "  timeout: 60s\n"); // without the fix the run gives the code up and waits until this ends
        var run = scenario.RunAsync();
        await UntilAsync(() => scenario.RequestThreads().Count == 1, [run]);
        var id = TfMfa.RunLog.RequestCommentText.IdInMarker(scenario.Request()!.Content)!;
        var code = scenario.CurrentCode();
        var answer = scenario.Azure.PostThread(AzureScenario.PullRequest, "alice@contoso.com", $"/mfa {id} {code}");
        // Another pipeline's job token is the same build identity: it replies first with a claim, naming this request and another.
        var thread = scenario.Azure.Threads(AzureScenario.PullRequest).Single(t => t.Comments[0] == answer).Id;
        scenario.Azure.Reply(AzureScenario.PullRequest, thread, scenario.Azure.BuildIdentity.UniqueName, $"<!-- tfmfa:claim comment={thread}.1 request={id} run=1.1 nonce=forged -->");
        scenario.Azure.Reply(AzureScenario.PullRequest, thread, scenario.Azure.BuildIdentity.UniqueName, $"<!-- tfmfa:claim comment={thread}.1 request=zzzz run=1.1 nonce=forged -->");

        var result = await run;

        Assert.False(result.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), result.ToString());
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
    }

    private static string OldRequest(string id, long build, DateTimeOffset deadline) =>
        TfMfa.RunLog.RequestCommentText.Waiting(new TfMfa.RunLog.RequestDetails(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci",
            $"https://dev.azure.com/contoso/infra/_build/results?buildId={build}", build, 1, new TfMfa.Config.ApproverPolicy(TfMfa.Config.RepoPermission.Write, []), deadline,
            TfMfa.AzurePipelines.AzureThreadConversation.Wording, RequestId: id), null, 3);

    private static async Task UntilAsync(Func<bool> condition, Task<ActionResult>[] runs)
    {
        using var limit = new CancellationTokenSource(AzureScenario.RunTimeout);
        while (!condition())
        {
            if (runs.FirstOrDefault(r => r.IsCompleted) is { } ended)
                Assert.Fail($"a run ended early:\n{await ended}");
            await Task.Delay(25, limit.Token);
        }
    }
}
