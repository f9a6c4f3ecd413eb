using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>What a pull request may choose, and which files and paths TfMfa reads (issue 9), through the real program.</summary>
public sealed class ConfigWallTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task A_stricter_looking_workspace_copy_keeps_the_default_branchs_role()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var role = scenario.Aws.AddRole("deploy", [scenario.User], requireMfa: true);
        scenario.GitHub.SetFile("main", ".github/tfmfa.yml", $"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {role.Arn}\n");
        scenario.WriteWorkspaceConfig("default-level: plans-and-applies\nwait:\n  timeout: 24h\n  poll-interval: 5m\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var call = Assert.Single(scenario.CodesSentToSts);
        Assert.Equal("AssumeRole", call.Operation);
        Assert.Empty(scenario.StsCalls("GetSessionToken"));
        // The default branch's wait (10m, 2s polls), not the pull request's 24 hours and 5-minute polls.
        var request = scenario.RequestComment()!.History[0];
        Assert.DoesNotContain("24h", request);
        Assert.Contains("AssumeRole `" + role.Arn + "`", scenario.Summary());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_workspace_copy_cannot_name_a_role_the_default_branch_does_not()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var other = scenario.Aws.AddRole("admin", [scenario.User], requireMfa: false);
        scenario.WriteWorkspaceConfig($"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {other.Arn}\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(scenario.StsCalls("AssumeRole"));
        Assert.Single(scenario.StsCalls("GetSessionToken"));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_role_input_naming_another_role_than_the_default_branch_fails_naming_both()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var deploy = scenario.Aws.AddRole("deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {deploy.Arn}\n");
        scenario.Inputs["role-to-assume"] = "arn:aws:iam::123456789012:role/admin";

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"::error::input 'role-to-assume' names arn:aws:iam::123456789012:role/admin, but .github/tfmfa.yml@main sets role-to-assume {deploy.Arn} for environment 'production'", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_timeout_input_may_shorten_the_default_branchs_wait_but_not_lengthen_it()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["timeout"] = "2h";

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::input 'timeout' (2h) is longer than wait.timeout (10m) in .github/tfmfa.yml@main: a workflow may only shorten the wait.", run.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
    }
}
