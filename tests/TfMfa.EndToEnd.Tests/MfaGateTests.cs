using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd;

/// <summary>
/// The real program, both stand-ins and the real terraform binary: levels, STS credentials and
/// which key terraform really used. On a runner codes arrive as <c>/mfa</c> comments; locally they are typed.
/// </summary>
public sealed class MfaGateTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task Plans_and_applies_gates_plan_and_apply_and_terraform_runs_as_the_mfa_session()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");

        var planCode = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {planCode}");
        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice", plan.StandardOutput);
        var planSession = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.True(planSession.MfaAuthenticated);
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(planSession.AccessKeyId, r.AccessKeyId));
        var codeComment = scenario.GitHub.CommentsOn(GateScenario.PullRequest).Single(c => c.User.Login == "alice");
        Assert.True(codeComment.Deleted);
        // 👀 races the deletion, so only the attempt is certain.
        Assert.Contains(scenario.GitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith($"/issues/comments/{codeComment.Id}/reactions", StringComparison.Ordinal));
        Assert.StartsWith("<!-- tfmfa:request run=777 attempt=1 environment=default command=plan -->", scenario.RequestComment()!.Body);
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", scenario.RequestComment()!.Body);

        scenario.NextCodeWindow();
        scenario.Inputs["command"] = "apply";
        var applyCode = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {applyCode}");
        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var applySession = scenario.Aws.IssuedSessions.Single(s => s.AccessKeyId != planSession.AccessKeyId);
        var seen = SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(applySession.AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        Assert.Equal(applySession.SessionToken, seen["AWS_SESSION_TOKEN"]);
        Assert.Equal("us-east-1", seen["AWS_REGION"]);
        Assert.Equal("1", seen["TF_IN_AUTOMATION"]);
        Assert.False(seen.ContainsKey("AWS_MFA_SERIAL_NUMBER"));
        Assert.Contains("gate/terraform.tfstate", scenario.Bucket.Keys);
        Assert.DoesNotContain(scenario.Bucket.Keys, k => k.EndsWith(".tflock", StringComparison.Ordinal));

        var outputs = scenario.Outputs();
        Assert.Equal("true", outputs["mfa-required"]);
        Assert.Equal("alice", outputs["authenticated-by"]);
        Assert.Equal("0", outputs["exit-code"]);
        Assert.Equal(applySession.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), outputs["session-expiration"]);
        Assert.Contains("Authenticated with MFA by alice", scenario.Summary());
        Assert.Equal(2, scenario.RequestComments().Count);
        SecretScan.AssertNoSecrets(scenario, [plan, apply], planCode, applyCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task On_a_laptop_the_code_is_typed_and_no_secret_is_ever_printed()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.OnRunner = false;
        scenario.WriteWorkspaceConfig("default-level: plans-and-applies\n");
        var code = scenario.CurrentCode();

        var plan = await scenario.RunAsync(code);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("Authenticated with MFA by alice", plan.StandardOutput);
        Assert.Contains("MFA code for arn:aws:iam::123456789012:mfa/ci (plan in default, attempt 1 of 3):", plan.StandardError);
        Assert.DoesNotContain(plan.StandardOutput.Split('\n'), l => l.StartsWith("::", StringComparison.Ordinal));
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Empty(scenario.GitHub.Requests);
        foreach (var secret in new[] { scenario.User.SecretAccessKey, session.SecretAccessKey, session.SessionToken, session.AccessKeyId, code })
            Assert.DoesNotContain(secret, plan.AllOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task Applies_only_plan_needs_no_code_and_terraform_runs_with_the_long_term_key()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("environments:\n  staging:\n    level: applies only\n");
        scenario.Inputs["environment"] = "staging";

        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("no code is required", plan.StandardOutput);
        Assert.DoesNotContain(scenario.Aws.Requests, r => r.Operation is "GetSessionToken" or "AssumeRole");
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(scenario.User.AccessKeyId, r.AccessKeyId));
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Equal("false", scenario.Outputs()["mfa-required"]);
        Assert.Equal("", scenario.Outputs()["authenticated-by"]);
        Assert.Equal("", scenario.Outputs()["session-expiration"]);
        SecretScan.AssertNoSecrets(scenario, [plan]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_wrong_code_turns_the_request_red_and_the_next_right_code_gets_through()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        var wrong = scenario.WrongCode();
        var right = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {wrong}", $"/mfa {right}");

        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        var calls = scenario.StsCalls("GetSessionToken");
        Assert.Equal([wrong, right], calls.Select(c => c.TokenCode));
        Assert.Equal(["AccessDenied", null], calls.Select(c => c.ErrorCode));
        Assert.Contains(plan.StandardOutput.Split('\n'), l => l.StartsWith("::error::🔴 MFA code from alice was not accepted: AWS refused the MFA code", StringComparison.Ordinal));
        var request = scenario.RequestComment()!;
        var red = request.History.Single(b => b.Contains("🔴", StringComparison.Ordinal));
        Assert.Contains("The code from @alice was not accepted: AWS refused the MFA code", red);
        Assert.Contains("2 attempts left", red);
        Assert.Contains("🔓 Authenticated with MFA by @alice", request.Body);
        Assert.All(scenario.GitHub.CommentsOn(GateScenario.PullRequest).Where(c => c.User.Login == "alice"), c => Assert.True(c.Deleted));
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        SecretScan.AssertNoSecrets(scenario, [plan], wrong, right);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_same_code_twice_is_refused_and_explained_and_terraform_does_not_run()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\nwait:\n  max-attempts: 1\n");
        var code = scenario.CurrentCode();

        scenario.PersonAnswers("alice", $"/mfa {code}");
        var first = await scenario.RunAsync();
        var s3RequestsAfterFirst = scenario.S3Requests.Count;
        scenario.PersonAnswers("alice", $"/mfa {code}");
        var second = await scenario.RunAsync();

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 1, second.ToString());
        Assert.Contains("already used (AWS accepts each code once)", second.StandardOutput);
        Assert.Contains("MFA failed: 1 code was refused (wait.max-attempts)", second.StandardOutput);
        Assert.Equal(s3RequestsAfterFirst, scenario.S3Requests.Count);
        Assert.Equal("", scenario.Outputs()["exit-code"]);
        Assert.Contains("### 🔴 MFA failed", scenario.RequestComment()!.Body);
        Assert.Contains("🔴", scenario.Summary());
        SecretScan.AssertNoSecrets(scenario, [first, second], code);
    }

    [Fact(Timeout = Timeout)]
    public async Task Role_to_assume_gets_an_mfa_assume_role_session_named_after_the_person()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        var role = scenario.Aws.AddRole("deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {role.Arn}\n");
        scenario.Inputs["environment"] = "production";
        scenario.Inputs["command"] = "apply";
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var call = Assert.Single(scenario.StsCalls("AssumeRole"));
        Assert.Equal(code, call.TokenCode);
        Assert.Empty(scenario.StsCalls("GetSessionToken"));
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deploy/tfmfa-alice", session.Arn);
        Assert.Equal("alice", session.SourceIdentity);
        Assert.True(session.MfaAuthenticated);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Equal(session.AccessKeyId, SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory)["AWS_ACCESS_KEY_ID"]);
        Assert.Contains("AssumeRole `arn:aws:iam::123456789012:role/deploy`", scenario.Summary());
        SecretScan.AssertNoSecrets(scenario, [apply], code);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_role_whose_trust_requires_mfa_refuses_the_long_term_key_without_a_code()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        var role = scenario.Aws.AddRole("deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: never\n    role-to-assume: {role.Arn}\n");
        scenario.Inputs["environment"] = "production";

        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 1, plan.ToString());
        Assert.Contains("AWS denied AssumeRole for arn:aws:iam::123456789012:role/deploy", plan.StandardOutput);
        Assert.Contains("(AWS error: AccessDenied, HTTP 403)", plan.StandardOutput);
        Assert.Empty(scenario.S3Requests);
        SecretScan.AssertNoSecrets(scenario, [plan]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_bad_config_fails_before_any_aws_call_or_comment_and_names_file_line_and_column()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\nenvironments:\n  production:\n    level: sometimes\n");
        scenario.Inputs["environment"] = "production";

        var plan = await scenario.RunAsync();

        Assert.Equal(1, plan.ExitCode);
        Assert.Contains("::error::.github/tfmfa.yml:4:12: level must be one of never, applies-only, plans-and-applies (got 'sometimes')", plan.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.False(File.Exists(Path.Combine(scenario.ModuleDirectory, ".terraform", "terraform.tfstate")));
        SecretScan.AssertNoSecrets(scenario, [plan]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraform_debug_logs_never_show_a_secret()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.ExtraEnvironment["TF_LOG"] = "TRACE";
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("[DEBUG]", plan.AllOutput); // on a runner, tool stderr shares stdout with the stop-commands fence
        Assert.Contains("***", plan.AllOutput); // terraform's trace did print a credential, and it was redacted
        SecretScan.AssertNoSecrets(scenario, [plan], code);
    }
}
