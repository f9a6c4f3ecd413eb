using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// What a pull request may choose (its copy of the config, the inputs of its workflow), which files
/// and paths TfMfa reads, and whose codes and approvals count (issue 9), through the real program:
/// the default branch's config always counts, and nothing a pull request chooses lowers the gate.
/// </summary>
public sealed class PullRequestLimitsTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task A_pull_request_that_points_config_at_a_laxer_file_still_gets_the_default_branch_level()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        Directory.CreateDirectory(Path.Combine(scenario.Workspace, "ops"));
        File.WriteAllText(Path.Combine(scenario.Workspace, "ops", "lax.yml"), "default-level: never\n");
        scenario.Inputs["config"] = "ops/lax.yml";
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("MFA level plans-and-applies (set by .github/tfmfa.yml@main)", run.StandardOutput);
        Assert.Contains(scenario.GitHub.Requests, r => r.Path.Contains("/contents/ops/lax.yml", StringComparison.Ordinal));
        Assert.Single(scenario.Aws.IssuedSessions);
    }

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

    [Fact(Timeout = Timeout)]
    public async Task A_default_branch_config_over_1_MB_fails_closed_instead_of_reading_as_empty()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.SetFile("main", ".github/tfmfa.yml", GateScenario.ProductionConfig + "# " + new string('x', 1024 * 1024) + "\n");
        scenario.WriteWorkspaceConfig("default-level: never\n");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Could not read .github/tfmfa.yml on the default branch (main), so the run stops rather than risk a lower MFA level (fail closed)", run.StandardOutput);
        Assert.Contains("as encoding 'none' and no usable content (the contents API leaves out files over 1 MB), so it is not a complete file", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_workspace_config_linked_to_dev_zero_is_refused_at_once()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var config = Path.Combine(scenario.Workspace, ".github", "tfmfa.yml");
        File.Delete(config);
        File.CreateSymbolicLink(config, "/dev/zero");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::input 'config': '.github/tfmfa.yml' is a symlink that leads out of the workspace (to /dev/zero)", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("working-directory", "/tmp", "input 'working-directory' must be a path relative to the workspace (got the absolute path '/tmp')")]
    [InlineData("working-directory", "../..", "input 'working-directory': '../..' leads out of the workspace")]
    [InlineData("config", "/etc/passwd", "input 'config' must be a path relative to the workspace (got the absolute path '/etc/passwd')")]
    [InlineData("config", "infra/../../outside.yml", "input 'config': 'infra/../../outside.yml' leads out of the workspace")]
    public async Task Paths_outside_the_workspace_are_refused_naming_the_input(string input, string value, string expected)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs[input] = value;

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::" + expected, run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("public")]
    [InlineData("internal")]
    public async Task Min_permission_read_is_a_config_error_where_everyone_can_read(string visibility)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.Visibility = visibility;
        scenario.WriteConfig(GateScenario.ProductionConfig + "approvers:\n  min-permission: read\n");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::.github/tfmfa.yml@main:5:19: min-permission: read lets anyone supply a code or cancel a run here, because every GitHub user can read this repository.", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
    }

    [Fact(Timeout = Timeout)]
    public async Task Min_permission_read_stays_allowed_on_a_private_repository_and_with_a_users_list()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(GateScenario.ProductionConfig + "approvers:\n  min-permission: read\n");
        scenario.GitHub.AddUser("reader", "read");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("reader", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Authenticated with MFA by reader", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_enterprise_managed_user_on_the_users_list_can_supply_a_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(GateScenario.ProductionConfig + "approvers:\n  users: [alice_acme]\n");
        scenario.GitHub.AddUser("alice_acme", "write");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice_acme", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice_acme", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_approval_by_a_deleted_account_is_ignored_with_a_log_line()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddApprovalFromDeletedAccount(GateScenario.RunId, $"/mfa {scenario.CurrentCode()}", "production");
        scenario.NextCodeWindow();
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Ignored the code in an approval of 'production' by a deleted account: nobody can tell who supplied it.", run.StandardOutput);
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.DoesNotContain("failed unexpectedly", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_comment_by_a_deleted_account_is_ignored_and_removed_through_the_real_program()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var code = scenario.CurrentCode();
        scenario.GitHub.OnComment(async comment =>
        {
            if (!comment.User.IsBot || !comment.Body.Contains("tfmfa:request", StringComparison.Ordinal)) return;
            scenario.GitHub.PostCommentFromDeletedAccount(GateScenario.PullRequest, $"/mfa {scenario.WrongCode()}");
            await Task.Delay(300);
            scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {code}");
        });

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Ignored a /mfa comment by a deleted account: nobody can tell who wrote it (the comment was removed", run.StandardOutput);
        Assert.True(scenario.GitHub.CommentsOn(GateScenario.PullRequest).Single(c => c.User.IsDeleted).Deleted);
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
    }
}
