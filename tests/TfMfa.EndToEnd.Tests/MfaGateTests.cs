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
        Assert.StartsWith("<!-- tfmfa:request run=777 attempt=1 environment=default command=plan deadline=", scenario.RequestComment()!.Body);
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", scenario.RequestComment()!.Body);

        // The apply asks twice, as Terraform Enterprise did: a first code runs the plan, a second applies the plan shown.
        scenario.NextCodeWindow();
        scenario.Inputs["command"] = "apply";
        var requestsBefore = scenario.RequestComments().Count;
        var s3Before = scenario.S3Requests.Count;
        var summaryBefore = scenario.Summary().Length;
        var (applyPlanCode, applyCode) = scenario.PersonAnswersBothCodes("alice");
        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal([planCode, applyPlanCode, applyCode], scenario.CodesSentToSts.Select(c => c.TokenCode));
        var requests = scenario.RequestComments().Skip(requestsBefore).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Contains("### 🔒 MFA code needed: `terraform plan` in `default`", requests[0].History[0]);
        Assert.Contains("**First of two codes for `terraform apply` in `default`**", requests[0].History[0]);
        Assert.Contains("a new request will show it, and a second code applies exactly that plan", requests[0].Body);
        Assert.Contains("### 🔒 MFA code needed: `terraform apply` in `default`", requests[1].History[0]);
        Assert.Contains("**Second of two codes**", requests[1].History[0]);
        Assert.Contains("- `terraform_data.whoami`: create", requests[1].History[0]);
        Assert.NotEqual(RequestIdOf(requests[0]), RequestIdOf(requests[1]));

        var applySessions = scenario.Aws.IssuedSessions.Where(s => s.AccessKeyId != planSession.AccessKeyId).ToList();
        Assert.Equal(2, applySessions.Count);
        var (applyPlanSession, applySession) = (applySessions[0], applySessions[1]);
        Assert.All(applySessions, s => Assert.True(s.MfaAuthenticated));
        // The plan read the state with the first code's session; the apply wrote it with the second's.
        var applyRunS3 = scenario.S3Requests.Skip(s3Before).ToList();
        Assert.Contains(applyRunS3, r => r.AccessKeyId == applyPlanSession.AccessKeyId);
        Assert.Contains(applyRunS3, r => r.AccessKeyId == applySession.AccessKeyId && r.Operation == "PutObject");
        Assert.All(applyRunS3.Where(r => r.Operation.StartsWith("Put", StringComparison.Ordinal)), r => Assert.Equal(applySession.AccessKeyId, r.AccessKeyId));
        var seen = SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(applySession.AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        Assert.Equal(applySession.SessionToken, seen["AWS_SESSION_TOKEN"]);
        Assert.Equal("us-east-1", seen["AWS_REGION"]);
        Assert.Equal("1", seen["TF_IN_AUTOMATION"]);
        Assert.False(seen.ContainsKey("AWS_MFA_SERIAL_NUMBER"));
        Assert.Contains("gate/terraform.tfstate", scenario.Bucket.Keys);
        Assert.DoesNotContain(scenario.Bucket.Keys, k => k.EndsWith(".tflock", StringComparison.Ordinal));
        Assert.Contains($"Applying the plan shown in the request (SHA-256 {scenario.Outputs()["plan-sha256"]}).", apply.StandardOutput);

        var outputs = scenario.Outputs();
        Assert.Equal("true", outputs["mfa-required"]);
        Assert.Equal("alice", outputs["authenticated-by"]);
        Assert.Equal("0", outputs["exit-code"]);
        Assert.Equal(applySession.Expiration.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"), outputs["session-expiration"]);
        // The apply's summary records both codes: the plan's and the apply's.
        var applySummary = scenario.Summary()[summaryBefore..];
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(applySummary, "Authenticated with MFA by alice"));
        Assert.Contains("| Command | `plan` |", applySummary);
        Assert.Contains("| Command | `apply` |", applySummary);
        SecretScan.AssertNoSecrets(scenario, [plan, apply], planCode, applyPlanCode, applyCode);
    }

    private static string RequestIdOf(TfMfa.StandIns.GitHub.StoredComment request) =>
        System.Text.RegularExpressions.Regex.Match(request.History[0], "<!-- tfmfa:id ([a-z]{4}) -->").Groups[1].Value;

    [Fact(Timeout = Timeout)]
    public async Task Role_to_assume_gets_an_mfa_assume_role_session_named_after_the_person()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        var role = scenario.Aws.AddRole("deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {role.Arn}\n");
        scenario.Inputs["environment"] = "production";
        scenario.Inputs["command"] = "apply";
        // plans-and-applies: the plan's code and the apply's, each an AssumeRole of the role (no plan-role-to-assume here).
        var (planCode, applyCode) = scenario.PersonAnswersBothCodes("alice");

        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal([planCode, applyCode], scenario.StsCalls("AssumeRole").Select(c => c.TokenCode));
        Assert.Empty(scenario.StsCalls("GetSessionToken"));
        Assert.Equal(2, scenario.Aws.IssuedSessions.Count);
        Assert.All(scenario.Aws.IssuedSessions, session =>
        {
            Assert.Equal("arn:aws:sts::123456789012:assumed-role/deploy/tfmfa-alice", session.Arn);
            Assert.Equal("alice", session.SourceIdentity);
            Assert.True(session.MfaAuthenticated);
        });
        Assert.All(scenario.S3Requests, r => Assert.Contains(r.AccessKeyId, scenario.Aws.IssuedSessions.Select(s => s.AccessKeyId)));
        Assert.Equal(scenario.Aws.IssuedSessions[1].AccessKeyId, SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory)["AWS_ACCESS_KEY_ID"]);
        Assert.Contains("AssumeRole `arn:aws:iam::123456789012:role/deploy`", scenario.Summary());
        SecretScan.AssertNoSecrets(scenario, [apply], planCode, applyCode);
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
        scenario.Variables["TF_LOG"] = "TRACE";
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var plan = await scenario.RunAsync();

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("[DEBUG]", plan.AllOutput); // on a runner, tool stderr shares stdout with the stop-commands fence
        Assert.Contains("***", plan.AllOutput); // terraform's trace did print a credential, and it was redacted
        SecretScan.AssertNoSecrets(scenario, [plan], code);
    }
}
