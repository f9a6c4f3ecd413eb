using System.Text.Json.Nodes;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.World;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd;

/// <summary>
/// wait.mode: comment-trigger through the real program, the stand-ins and real terraform: a run asks
/// and ends with the commit status pending; a /mfa reply's issue_comment event starts the run that
/// answers, which holds the reply to every rule and runs exactly what the request showed.
/// </summary>
public sealed class CommentTriggerTests
{
    private const int Timeout = 180_000;
    private const string Mode = "wait:\n  mode: comment-trigger\n";

    private static async Task<GateScenario> StartAsync(string level)
    {
        TerraformBinary.Require();
        var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig($"default-level: {level}\n{Mode}");
        return scenario;
    }

    /// <summary>The request's id, from its marker.</summary>
    internal static string IdOf(StoredComment request) =>
        System.Text.RegularExpressions.Regex.Match(request.Body, "<!-- tfmfa:id (?<id>[a-z]+) -->").Groups["id"].Value;

    /// <summary>A person replies on the pull request, and GitHub starts the answering workflow with that comment's issue_comment event.</summary>
    /// <remarks>
    /// GitHub's timestamps have whole seconds, and a request edited in the reply's own second counts as
    /// edited after it: like a person, the reply comes at least a second after TfMfa last wrote.
    /// </remarks>
    internal static async Task<StoredComment> ReplyAsync(GateScenario scenario, string login, string body)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1050 - DateTime.UtcNow.Millisecond));
        scenario.Clock.Advance(TimeSpan.FromSeconds(1));
        var comment = scenario.GitHub.PostComment(GateScenario.PullRequest, login, body);
        scenario.WriteEvent("issue_comment", GitHubWorld.IssueCommentEvent(comment, GateScenario.PullRequest));
        return comment;
    }

    private static StoredStatus? Status(GateScenario scenario, string command) => scenario.GitHub.LatestStatus(GateScenario.HeadSha, $"tfmfa/default/{command}");

    [Fact(Timeout = Timeout)]
    public async Task A_plan_check_asks_and_ends_with_the_status_pending_and_the_reply_runs_the_plan_with_the_session()
    {
        await using var scenario = await StartAsync("plans-and-applies");

        var asked = await scenario.RunAsync();

        Assert.True(asked.ExitCode == 0, asked.ToString());
        Assert.Equal("true", scenario.Outputs()["waiting"]);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.Empty(scenario.S3Requests); // terraform did not run: nothing runs before the code
        var request = Assert.Single(scenario.RequestComments());
        Assert.Contains("<!-- tfmfa:trigger commit=0f3c9a1b2d ", request.Body);
        Assert.Contains("asked for a one-time code from", request.Body);
        Assert.Contains("A `/mfa` reply starts the run that answers this request.", request.Body);
        var pending = Status(scenario, "plan");
        Assert.Equal("pending", pending?.State);
        Assert.EndsWith($"#issuecomment-{request.Id}", pending!.TargetUrl);
        Assert.Contains($"/mfa {IdOf(request)} 123456", pending.Description);

        var code = scenario.CurrentCode();
        var reply = await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {code}");
        var answered = await scenario.RunAsync();

        Assert.True(answered.ExitCode == 0, answered.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice", answered.StandardOutput);
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.Equal([code], scenario.CodesSentToSts.Select(c => c.TokenCode));
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.True(reply.Deleted);
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", request.Body);
        Assert.Equal("success", Status(scenario, "plan")?.State);
        Assert.Equal("false", scenario.Outputs()["waiting"]);
        SecretScan.AssertNoSecrets(scenario, [asked, answered], code);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_apply_shows_its_plan_and_the_reply_applies_exactly_that_plan()
    {
        await using var scenario = await StartAsync("applies-only");
        scenario.Inputs["command"] = "apply";

        var asked = await scenario.RunAsync();

        Assert.True(asked.ExitCode == 0, asked.ToString());
        var request = Assert.Single(scenario.RequestComments());
        Assert.Contains("- `terraform_data.whoami`: create", request.Body);
        Assert.Matches("changes=[0-9a-f]{64}", request.Body);
        Assert.Empty(scenario.Aws.IssuedSessions); // applies-only: the plan ran without a code
        Assert.Equal("pending", Status(scenario, "apply")?.State);

        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.True(answered.ExitCode == 0, answered.ToString());
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.Contains("Applying the plan shown in the request", answered.StandardOutput);
        Assert.Contains(scenario.S3Requests, r => r.Operation == "PutObject" && r.AccessKeyId == session.AccessKeyId);
        Assert.Equal("success", Status(scenario, "apply")?.State);
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", request.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_apply_with_nothing_to_apply_asks_for_no_code_and_its_status_is_success()
    {
        await using var scenario = await StartAsync("applies-only");
        scenario.Inputs["command"] = "apply";
        var main = Path.Combine(scenario.ModuleDirectory, "main.tf");
        var text = File.ReadAllText(main);
        File.WriteAllText(main, text[..text.IndexOf("resource \"terraform_data\"", StringComparison.Ordinal)]);

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(scenario.RequestComments());
        Assert.Equal("success", Status(scenario, "apply")?.State);
        Assert.Equal("false", scenario.Outputs()["waiting"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_pull_request_that_moved_after_the_request_gets_no_code_used_and_the_next_plan_run_asks_again()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, "1a2b3c4d5e6f"); // a push after the request

        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("The pull request moved to 1a2b3c4 after request", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.Equal("failure", Status(scenario, "plan")?.State);
        Assert.DoesNotContain("MFA code needed", request.Body);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_push_closes_the_earlier_request_when_the_next_plan_run_asks_again()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var first = Assert.Single(scenario.RequestComments());
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, "1a2b3c4d5e6f");
        scenario.WriteEvent("pull_request", new JsonObject
        {
            ["number"] = GateScenario.PullRequest,
            ["pull_request"] = new JsonObject
            {
                ["number"] = GateScenario.PullRequest,
                ["head"] = new JsonObject { ["sha"] = "1a2b3c4d5e6f", ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
                ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
            },
        });
        scenario.Variables["GITHUB_SHA"] = "1a2b3c4d5e6f";

        var again = await scenario.RunAsync();

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("This MFA request expired", first.Body);
        Assert.Contains("the pull request moved on to 1a2b3c4", first.Body);
        var second = scenario.RequestComments()[^1];
        Assert.Contains("commit=1a2b3c4d5e6f", second.Body);
        // A bare reply now has one open request to answer.
        await ReplyAsync(scenario, "alice", $"/mfa {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();
        Assert.True(answered.ExitCode == 0, answered.ToString());
        Assert.Equal("success", scenario.GitHub.LatestStatus("1a2b3c4d5e6f", "tfmfa/default/plan")?.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_wrong_code_leaves_the_request_open_and_a_second_reply_starts_a_run_that_succeeds()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());

        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.WrongCode()}");
        var wrong = await scenario.RunAsync();

        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("🔴 The code from @alice was not accepted", request.Body);
        Assert.Contains("2 attempts left", request.Body);
        Assert.Equal("pending", Status(scenario, "plan")?.State);
        Assert.Empty(scenario.S3Requests);
        Assert.Empty(request.Reactions); // the lock was released for the next reply

        scenario.NextCodeWindow();
        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var right = await scenario.RunAsync();

        Assert.True(right.ExitCode == 0, right.ToString());
        Assert.Equal(2, scenario.CodesSentToSts.Count);
        Assert.Equal("success", Status(scenario, "plan")?.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task Two_replies_racing_for_one_request_let_exactly_one_run_use_its_code()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        scenario.GitHub.AddUser("bob", "write");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        var id = IdOf(request);

        await ReplyAsync(scenario, "alice", $"/mfa {id} {scenario.CurrentCode()}");
        var aliceEvent = File.ReadAllText(Path.Combine(scenario.WorkflowDirectory, "event.json"));
        scenario.NextCodeWindow();
        await ReplyAsync(scenario, "bob", $"/mfa {id} {scenario.CurrentCode()}");
        var bobEvent = File.ReadAllText(Path.Combine(scenario.WorkflowDirectory, "event.json"));

        // Two runs at once, each with its own event file.
        var aliceDirectory = Path.Combine(scenario.Root, "alice-event");
        Directory.CreateDirectory(aliceDirectory);
        File.WriteAllText(Path.Combine(aliceDirectory, "event.json"), aliceEvent);
        var aliceEnvironment = scenario.Environment();
        aliceEnvironment["GITHUB_EVENT_PATH"] = Path.Combine(aliceDirectory, "event.json");
        var runs = await Task.WhenAll(
            ActionProcess.RunAsync(aliceEnvironment, "", GateScenario.RunTimeout, []),
            scenario.RunAsync());

        Assert.Single(runs, r => r.ExitCode == 0);
        Assert.Single(scenario.CodesSentToSts);
        Assert.Single(scenario.Aws.IssuedSessions);
        Assert.Equal("success", Status(scenario, "plan")?.State);
        Assert.Contains(runs, r => r.StandardOutput.Contains("Another run is answering request", StringComparison.Ordinal)
                                   || r.StandardOutput.Contains("no longer waits for a code", StringComparison.Ordinal)
                                   || r.StandardOutput.Contains("was edited after this reply was written", StringComparison.Ordinal));
        Assert.NotEqual(bobEvent, aliceEvent);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_expired_request_takes_no_code()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        // Its deadline passes (the program reads the real clock; the marker's deadline is what ends a request).
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        scenario.GitHub.EditComment(request.Id, System.Text.RegularExpressions.Regex.Replace(request.Body, "deadline=[^ ]+", "deadline=" + past));

        var reply = await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("no longer waits for a code (answered, closed or expired)", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.True(reply.Deleted); // its code is not left visible
    }

    [Fact(Timeout = Timeout)]
    public async Task A_request_whose_text_was_changed_takes_no_code()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        // Any workflow's GITHUB_TOKEN edits as github-actions[bot]: the request now claims a harmless directory.
        scenario.GitHub.EditComment(request.Id, request.Body.Replace("| Working directory | `infra` |", "| Working directory | `docs` |", StringComparison.Ordinal));

        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("does not say exactly what this run would do", answered.StandardOutput);
        Assert.Contains("`docs`", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.Equal("failure", Status(scenario, "plan")?.State);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_request_whose_marker_was_tampered_with_takes_no_code()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        scenario.GitHub.EditComment(request.Id, System.Text.RegularExpressions.Regex.Replace(request.Body, "stage=Only", "stage=Anything"));

        var reply = await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains($"request `{IdOf(request)}`'s marker was changed", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.True(reply.Deleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_request_edited_after_the_reply_was_written_takes_no_code()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());
        var reply = await ReplyAsync(scenario, "alice", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        // Before the answering run reads it, a writer's workflow edits the request (here: to the same text, which still counts).
        scenario.Clock.Advance(TimeSpan.FromSeconds(5));
        scenario.GitHub.EditComment(request.Id, request.Body);

        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("was edited after this reply was written", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.True(reply.Deleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_apply_from_a_fork_runs_none_of_the_forks_code_before_it_is_refused()
    {
        await using var scenario = await StartAsync("applies-only");
        scenario.Inputs["command"] = "apply";
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, GateScenario.HeadSha, headRepository: "mallory/infra");
        // "/apply" on the fork's pull request: issue_comment runs hold the repository's secrets.
        var comment = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", "/apply");
        scenario.WriteEvent("issue_comment", GitHubWorld.IssueCommentEvent(comment, GateScenario.PullRequest));

        var run = await scenario.RunAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("this job would run the fork's code with MFA credentials", run.StandardOutput);
        Assert.Empty(scenario.S3Requests); // the applies-only plan never ran
        Assert.Empty(scenario.RequestComments());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_reply_that_only_looks_like_mfa_runs_nothing_and_its_code_is_removed()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var reply = await ReplyAsync(scenario, "alice", $"/mfa{scenario.CurrentCode()}");

        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("is no command TfMfa reads", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.Empty(scenario.S3Requests);
        Assert.True(reply.Deleted);
        Assert.Single(scenario.RequestComments()); // it did not become a run that asks
    }

    [Fact(Timeout = Timeout)]
    public async Task A_fork_gets_no_request_and_a_reply_for_a_fork_gets_no_code_used()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, GateScenario.HeadSha, headRepository: "mallory/infra");
        scenario.WriteEvent("pull_request", new JsonObject
        {
            ["number"] = GateScenario.PullRequest,
            ["pull_request"] = new JsonObject
            {
                ["number"] = GateScenario.PullRequest,
                ["head"] = new JsonObject { ["sha"] = GateScenario.HeadSha, ["repo"] = new JsonObject { ["full_name"] = "mallory/infra" } },
                ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
            },
        });

        var asked = await scenario.RunAsync();

        Assert.NotEqual(0, asked.ExitCode);
        Assert.Contains("this job would run the fork's code with MFA credentials", asked.StandardOutput);
        Assert.Empty(scenario.RequestComments());
        Assert.Null(Status(scenario, "plan"));
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_allow_author_false_the_authors_reply_is_refused()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig($"default-level: plans-and-applies\n{Mode}approvers:\n  allow-author: false\n");
        scenario.GitHub.AddUser("dana", "write"); // dana opened the pull request
        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var request = Assert.Single(scenario.RequestComments());

        var reply = await ReplyAsync(scenario, "dana", $"/mfa {IdOf(request)} {scenario.CurrentCode()}");
        var answered = await scenario.RunAsync();

        Assert.NotEqual(0, answered.ExitCode);
        Assert.Contains("by @dana: wrote this pull request, and approvers.allow-author is false", answered.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
        Assert.True(reply.Deleted);
        Assert.Equal("pending", Status(scenario, "plan")?.State); // the request still waits for someone else
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_plans_and_applies_an_apply_takes_two_requests_across_three_runs()
    {
        await using var scenario = await StartAsync("plans-and-applies");
        scenario.Inputs["command"] = "apply";

        Assert.Equal(0, (await scenario.RunAsync()).ExitCode);
        var first = Assert.Single(scenario.RequestComments());
        Assert.Contains("**First of two codes for `terraform apply` in `default`**", first.Body);

        var planCode = scenario.CurrentCode();
        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(first)} {planCode}");
        var planned = await scenario.RunAsync();

        Assert.True(planned.ExitCode == 0, planned.ToString());
        Assert.Equal("true", scenario.Outputs()["waiting"]);
        Assert.Equal(2, scenario.RequestComments().Count);
        var second = scenario.RequestComments()[1];
        Assert.Contains("**Second of two codes**", second.Body);
        Assert.Contains("- `terraform_data.whoami`: create", second.Body);
        Assert.Equal("pending", Status(scenario, "apply")?.State);
        var planSession = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.DoesNotContain(scenario.S3Requests, r => r.Operation == "PutObject" && r.Resource is { } key && !key.EndsWith(".tflock", StringComparison.Ordinal));

        scenario.NextCodeWindow();
        var applyCode = scenario.CurrentCode();
        await ReplyAsync(scenario, "alice", $"/mfa {IdOf(second)} {applyCode}");
        var applied = await scenario.RunAsync();

        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Equal([planCode, applyCode], scenario.CodesSentToSts.Select(c => c.TokenCode));
        var applySession = scenario.Aws.IssuedSessions.Single(s => s.AccessKeyId != planSession.AccessKeyId);
        Assert.All(scenario.S3Requests.Where(r => r.Operation == "PutObject"), r => Assert.Equal(applySession.AccessKeyId, r.AccessKeyId));
        Assert.Equal("success", Status(scenario, "apply")?.State);
        Assert.Equal("alice", scenario.Outputs()["authenticated-by"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Poll_mode_stays_the_default_and_a_workflow_written_for_the_other_mode_is_refused()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Inputs["wait-mode"] = "comment-trigger";

        var run = await scenario.RunAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("input 'wait-mode' is comment-trigger, but wait.mode in .github/tfmfa.yml@main is poll", run.StandardOutput);
        Assert.Empty(scenario.RequestComments());
    }
}
