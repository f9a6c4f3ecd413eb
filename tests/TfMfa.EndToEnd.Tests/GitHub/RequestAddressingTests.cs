using TfMfa.Codes;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.RunLog;
using TfMfa.StandIns.GitHub;

namespace TfMfa.EndToEnd.GitHub;

/// <summary>
/// Which request a code is for, when several wait on one pull request: through the real program,
/// two runs at once, the GitHub and AWS stand-ins and real terraform.
/// </summary>
public sealed class RequestAddressingTests
{
    private const int Timeout = 180_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Two runs of the gate waiting on the scenario's pull request, each with its own module and state.</summary>
    private sealed class TwoRuns(GateScenario scenario, Task<ActionResult>[] runs)
    {
        public Task<ActionResult>[] Runs { get; } = runs;

        public static async Task<TwoRuns> StartAsync(GateScenario scenario, Action<Dictionary<string, string>>? second = null)
        {
            var module = Path.Combine(scenario.Workspace, "infra-2");
            TfMfa.StandIns.Terraform.SampleModule.Write(module, scenario.Aws.Endpoint, scenario.Bucket.Name, "gate/second.tfstate");
            var firstEnvironment = scenario.Environment();
            var secondEnvironment = scenario.Environment();
            secondEnvironment["INPUT_WORKING-DIRECTORY"] = "infra-2";
            secondEnvironment["GITHUB_RUN_ID"] = "778";
            scenario.GitHub.AddWorkflowRun(778);
            secondEnvironment["GITHUB_OUTPUT"] = Path.Combine(scenario.Root, "second_output");
            second?.Invoke(secondEnvironment);
            var two = new TwoRuns(scenario, [
                ActionProcess.RunAsync(firstEnvironment, "", GateScenario.RunTimeout),
                ActionProcess.RunAsync(secondEnvironment, "", GateScenario.RunTimeout)]);
            await two.UntilAsync(() => scenario.RequestComments().Count == 2);
            return two;
        }

        public IReadOnlyList<string> Ids => [.. scenario.RequestComments().Select(c => RequestCommentText.IdInMarker(c.Body)!)];

        public StoredComment RequestWithId(string id) => scenario.RequestComments().Single(c => RequestCommentText.IdInMarker(c.Body) == id);

        /// <summary>Waits for <paramref name="condition"/>; a run that fails meanwhile fails the test with its output.</summary>
        public async Task UntilAsync(Func<bool> condition)
        {
            while (!condition())
            {
                if (Runs.FirstOrDefault(r => r.IsCompleted && r.Result.ExitCode != 0) is { } failed) Assert.Fail($"a run failed:\n{await failed}");
                await Task.Delay(25, Ct);
            }
        }

        /// <summary>alice sends the next window's code to the request <paramref name="id"/>; returns the code once that request shows it authenticated.</summary>
        public async Task<string> AnswerAsync(string id)
        {
            scenario.NextCodeWindow();
            var code = scenario.CurrentCode();
            scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {id} {code}");
            await UntilAsync(() => RequestWithId(id).Body.Contains("🔓 Authenticated with MFA by @alice", StringComparison.Ordinal));
            return code;
        }
    }

    /// <summary>An id of the right shape that none of <paramref name="ids"/> is: <paramref name="near"/> with two letters swapped, as a typo makes it.</summary>
    private static string Mistyped(string near, IReadOnlyList<string> ids)
    {
        for (var i = 0; i + 1 < near.Length; i++)
        {
            var swapped = near[..i] + near[i + 1] + near[i] + near[(i + 2)..];
            if (RequestIds.IsId(swapped) && !ids.Contains(swapped)) return swapped;
        }
        return new string('z', near.Length) is var z && !ids.Contains(z) ? z : "yyyy"[..near.Length];
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_naming_no_open_request_is_removed_and_answered_while_an_addressed_code_is_taken_by_its_own_run_only()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var two = await TwoRuns.StartAsync(scenario);
        var ids = two.Ids;
        Assert.Equal(2, ids.Distinct().Count());

        var typo = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {Mistyped(ids[0], ids)} {scenario.CurrentCode()}");
        // The first request's run reads comments in order, so it has dealt with the typo before it takes this code.
        var first = await two.AnswerAsync(ids[0]);
        Assert.True(typo.Deleted, "the comment naming no open request is still visible");
        Assert.Contains("🔒 MFA code needed", two.RequestWithId(ids[1]).Body); // the addressed code went to its own run only
        var second = await two.AnswerAsync(ids[1]);
        var results = await Task.WhenAll(two.Runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(new[] { first, second }, scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        var reply = Assert.Single(scenario.GitHub.CommentsOn(GateScenario.PullRequest), c => c.Body.Contains("matches no open TfMfa request here", StringComparison.Ordinal));
        Assert.StartsWith($"@alice `{Mistyped(ids[0], ids)}` matches no open TfMfa request here", reply.Body);
        Assert.All(ids, id => Assert.Contains($"`{id}`", reply.Body));
        Assert.Contains("Your comment was removed, so its code is not visible.", reply.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_look_alike_request_copying_a_waiting_requests_id_gets_no_code_and_the_real_request_draws_a_new_id()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var run = scenario.RunAsync();
        while (scenario.RequestComment() is null) await Task.Delay(25, Ct);
        var real = scenario.RequestComment()!;
        // Once the run polls, it has checked that no open request had its id when it posted (the look-alike comes later):
        while (!scenario.GitHub.Requests.Any(r => r.Method == "GET" && r.Path.Contains("/comments?", StringComparison.Ordinal) && !r.Path.Contains("since=1970", StringComparison.Ordinal)))
        {
            if (run.IsCompleted) Assert.Fail($"the run ended:\n{await run}");
            await Task.Delay(25, Ct);
        }
        var copied = RequestCommentText.IdInMarker(real.Body)!;
        // Any workflow's GITHUB_TOKEN writes as github-actions[bot]: an attacker's run posts the same text, id and all.
        var lookAlike = scenario.GitHub.PostComment(GateScenario.PullRequest, GitHubStandIn.ActionsBotLogin, real.Body);
        var addressed = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {copied} {scenario.CurrentCode()}");
        while (!addressed.Deleted || RequestCommentText.IdInMarker(real.Body) == copied)
        {
            if (run.IsCompleted) Assert.Fail($"the run ended:\n{await run}");
            if (scenario.StsCalls("GetSessionToken").Count > 0) Assert.Fail($"a code addressed to two open requests went to STS:\n{await run}");
            await Task.Delay(25, Ct);
        }
        var redrawn = RequestCommentText.IdInMarker(real.Body)!;
        scenario.NextCodeWindow();
        var code = scenario.CurrentCode();
        scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {redrawn} {code}");

        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([code], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.NotEqual(copied, redrawn);
        Assert.Contains($"(request `{redrawn}`)", real.History.Single(b => b.Contains("🔒", StringComparison.Ordinal) && b.Contains(redrawn, StringComparison.Ordinal)));
        Assert.Equal(lookAlike.History[0], lookAlike.Body); // nobody touched the look-alike
        var reply = Assert.Single(scenario.GitHub.CommentsOn(GateScenario.PullRequest), c => c.Body.Contains("so none takes this code", StringComparison.Ordinal));
        Assert.Contains($"2 open TfMfa requests here have the id `{copied}`", reply.Body);
        Assert.Contains($"this one is now `{redrawn}`", reply.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task With_a_personal_access_token_as_github_token_requests_are_known_by_its_user_and_a_bare_code_is_taken_by_none()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        // The README suggests a PAT for approvers.teams: then every request is a comment of that user account, not of a bot.
        scenario.Inputs["github-token"] = scenario.GitHub.AddPersonalAccessToken("ci-machine");
        scenario.RequestPoster = "ci-machine";
        var two = await TwoRuns.StartAsync(scenario);

        var bare = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {scenario.CurrentCode()}");
        await two.UntilAsync(() =>
        {
            if (scenario.StsCalls("GetSessionToken").Count > 0) Assert.Fail("a bare code was taken while two requests were open");
            return bare.Deleted && scenario.GitHub.CommentsOn(GateScenario.PullRequest).Any(c => c.Body.Contains("a bare `/mfa` is taken by none", StringComparison.Ordinal));
        });
        var first = await two.AnswerAsync(two.Ids[0]);
        var second = await two.AnswerAsync(two.Ids[1]);
        var results = await Task.WhenAll(two.Runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(new[] { first, second }, scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.All(scenario.RequestComments(), c => Assert.Equal("ci-machine", c.User.Login));
    }

    [Fact(Timeout = Timeout)]
    public async Task Requests_of_runs_that_died_or_are_past_their_deadline_are_not_open_and_are_marked_expired()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["timeout"] = "60s"; // without the fix the bare code is refused, and the run gives up after this
        // A run whose runner was lost: its run has completed, but its request still reads as waiting.
        scenario.GitHub.AddWorkflowRun(555);
        scenario.GitHub.CompleteWorkflowRun(555, "cancelled");
        var dead = scenario.GitHub.PostComment(GateScenario.PullRequest, GitHubStandIn.ActionsBotLogin, OldRequest("dddd", 555, DateTimeOffset.UtcNow.AddHours(1)));
        // A run this token cannot read (404): its request is judged by its deadline, which has passed.
        var stale = scenario.GitHub.PostComment(GateScenario.PullRequest, GitHubStandIn.ActionsBotLogin, OldRequest("ssss", 556, DateTimeOffset.UtcNow.AddMinutes(-5)));
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var result = await scenario.RunAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([code], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.Contains("It no longer waits: its run (555) has completed.", dead.Body);
        Assert.Contains("It no longer waits: its deadline", stale.Body);
        Assert.All(new[] { dead, stale }, c => Assert.False(RequestCommentText.IsWaiting(c.Body)));
        Assert.Contains(scenario.GitHub.Requests, r => r.Method == "GET" && r.Path.EndsWith("/actions/runs/555", StringComparison.Ordinal) && r.Status == 200);
    }

    /// <summary>What an earlier run's request says, as that run posted it.</summary>
    private static string OldRequest(string id, long run, DateTimeOffset deadline) =>
        RequestCommentText.Waiting(new RequestDetails(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci",
            $"https://github.com/acme/infra/actions/runs/{run}", run, 1, new TfMfa.Config.ApproverPolicy(TfMfa.Config.RepoPermission.Write, []), deadline, TfMfa.GitHub.GitHubConversation.Wording, RequestId: id), null, 3);

    [Fact(Timeout = Timeout)]
    public async Task A_request_rewritten_to_show_something_else_gets_no_code_and_a_fresh_request_asks_again()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var run = scenario.RunAsync();
        while (scenario.RequestComment() is null) await Task.Delay(25, Ct);
        var real = scenario.RequestComment()!;
        var firstId = RequestCommentText.IdInMarker(real.Body)!;
        // The pull request's author (anyone with write) edits the request so it shows something harmless.
        scenario.GitHub.EditComment(real.Id, real.Body.Replace("production", "sandbox", StringComparison.Ordinal));
        var code = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {firstId} {scenario.CurrentCode()}");
        while (scenario.RequestComments().Count < 2)
        {
            if (run.IsCompleted) Assert.Fail($"the run ended:\n{await run}");
            if (scenario.StsCalls("GetSessionToken").Count > 0) Assert.Fail($"a code for a rewritten request went to STS:\n{await run}");
            await Task.Delay(25, Ct);
        }
        var fresh = scenario.RequestComment()!;
        var freshId = RequestCommentText.IdInMarker(fresh.Body)!;
        scenario.NextCodeWindow();
        var second = scenario.CurrentCode();
        scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {freshId} {second}");

        var result = await run;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([second], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.True(code.Deleted);
        Assert.NotEqual(firstId, freshId);
        Assert.Contains("This request was changed by someone other than TfMfa: no code is taken for it", real.Body);
        Assert.Contains("GitHub's REST API does not say who edits a comment", fresh.History[0]);
        Assert.Contains(scenario.GitHub.CommentsOn(GateScenario.PullRequest), c => c.Body.StartsWith("@alice Your code was not used", StringComparison.Ordinal));
    }
}
