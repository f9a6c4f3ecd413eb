using System.Text.Json.Nodes;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>Contract steps 3 to 5 through the real program, both stand-ins and real terraform.</summary>
public sealed class GitHubChannelTests
{
    private const int Timeout = 180_000;
    [Fact(Timeout = Timeout)]
    public async Task An_environment_approval_carrying_the_code_needs_no_comment()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var code = scenario.CurrentCode();
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {code}", "production");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using the code in @alice's approval of environment 'production'.", run.StandardOutput);
        Assert.Contains("::notice::Authenticated with MFA by alice", run.StandardOutput);
        Assert.Equal([code], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Equal("alice", scenario.Outputs()["authenticated-by"]);
        SecretScan.AssertNoSecrets(scenario, [run], code);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_stale_approval_code_falls_back_to_the_comment_command_and_says_why()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var stale = scenario.WrongCode();
        var fresh = scenario.CurrentCode();
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {stale}", "production");
        scenario.PersonAnswers("alice", $"/mfa {fresh}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([stale, fresh], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        var request = scenario.RequestComment()!;
        Assert.Contains("The code in @alice's environment approval was not accepted (it may have expired while the job was queued)", request.History[0]);
        Assert.Contains("2 attempts left", request.History[0]);
        Assert.Contains("🔓 Authenticated with MFA by @alice", request.Body);
        SecretScan.AssertNoSecrets(scenario, [run], stale, fresh);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_pull_request_that_lowers_its_level_still_needs_a_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteWorkspaceConfig("environments:\n  production:\n    level: never\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("MFA level plans-and-applies (set by .github/tfmfa.yml@main)", run.StandardOutput);
        Assert.Single(scenario.Aws.IssuedSessions);
        SecretScan.AssertNoSecrets(scenario, [run], code);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_pull_request_that_deletes_the_config_still_needs_a_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        File.Delete(Path.Combine(scenario.Workspace, ".github", "tfmfa.yml"));
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("MFA level plans-and-applies (set by .github/tfmfa.yml@main)", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_default_branch_config_that_cannot_be_read_fails_closed()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.InjectFault("GET", "/contents/", 500, count: 10);

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("so the run stops rather than risk a lower MFA level (fail closed)", run.StandardOutput);
        Assert.Contains("GitHub answered HTTP 500", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
    }

    [Fact(Timeout = Timeout)]
    public async Task Without_a_pull_request_or_issue_number_the_error_says_how_to_supply_a_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent("push", new JsonObject { ["ref"] = "refs/heads/main" });
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, "some-other-sha");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("There is no pull request to ask for an MFA code on", run.StandardOutput);
        Assert.Contains("Set the issue-number input", run.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task On_push_the_request_goes_to_the_pull_request_of_the_commit()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent("push", new JsonObject { ["ref"] = "refs/heads/main" });
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(scenario.GitHub.Requests, r => r.Path.Contains($"/commits/{GateScenario.HeadSha}/pulls", StringComparison.Ordinal));
        Assert.NotNull(scenario.RequestComment());
    }

    [Fact(Timeout = Timeout)]
    public async Task Issue_number_gives_a_run_without_a_pull_request_a_place_to_ask()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent("workflow_dispatch", new JsonObject { ["inputs"] = new JsonObject() });
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, "some-other-sha");
        scenario.Inputs["issue-number"] = GateScenario.PullRequest.ToString();
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Asked for an MFA code on #12", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_fork_pull_request_is_refused_a_code_unless_the_default_branch_allows_it()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent("pull_request", new JsonObject
        {
            ["pull_request"] = new JsonObject
            {
                ["number"] = GateScenario.PullRequest,
                ["head"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = "mallory/infra" } },
                ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
            },
        });
        scenario.WriteWorkspaceConfig(GateScenario.ProductionConfig + "allow-fork-prs: true\n");

        var refused = await scenario.RunAsync();

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("comes from the fork mallory/infra: this job would run the fork's code with MFA credentials", refused.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Empty(scenario.CodesSentToSts);

        scenario.GitHub.SetFile("main", ".github/tfmfa.yml", GateScenario.ProductionConfig + "allow-fork-prs: true\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");
        var allowed = await scenario.RunAsync();

        Assert.True(allowed.ExitCode == 0, allowed.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_command_on_a_fork_pull_request_is_refused_too()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, GateScenario.HeadSha, headRepository: "mallory/infra");
        scenario.WriteEvent("issue_comment", new JsonObject
        {
            ["issue"] = new JsonObject { ["number"] = GateScenario.PullRequest, ["pull_request"] = new JsonObject { ["url"] = "https://example.invalid" } },
            ["comment"] = new JsonObject { ["body"] = "/apply" },
        });

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Pull request #12 comes from the fork mallory/infra", run.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_github_token_given_as_an_option_is_the_one_used_on_a_runner()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["github-token"] = "ghs_not_the_right_token";
        scenario.Arguments.AddRange(["--github-token", scenario.GitHub.Token]);
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice", run.StandardOutput);
        SecretScan.AssertNoSecrets(scenario, [run], code);
    }
}
