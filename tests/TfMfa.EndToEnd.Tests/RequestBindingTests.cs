using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Approving what runs (issue 12), through the real program, the stand-ins and real terraform: the
/// request shows what the code unlocks, and each person's code goes to STS with their own device.
/// </summary>
public sealed class RequestBindingTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task The_request_shows_the_command_directory_commit_identity_session_and_terraform_version()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var asked = scenario.RequestComment()!.History[0];
        Assert.Contains("### 🔒 MFA code needed: `terraform plan` in `production` (request `", asked);
        Assert.Contains("| Working directory | `infra` |", asked);
        Assert.Contains($"| Commit | [`{GateScenario.HeadSha[..7]}`](https://github.com/{scenario.GitHub.FullName}/commit/{GateScenario.HeadSha}) |", asked);
        Assert.Contains("| AWS identity | the CI user's own MFA session |", asked);
        Assert.Contains("| Session | 1h |", asked);
        Assert.Contains("| Terraform | 1.11.4 |", asked);
        Assert.Contains($"from the MFA device `{scenario.Device.SerialNumber}`", asked);
        Assert.Contains($"The code unlocks terraform plan in 'production' from infra at commit {GateScenario.HeadSha[..7]}, as the CI user's own MFA session for 1h, terraform 1.11.4", run.StandardOutput);
        Assert.Equal(scenario.Device.SerialNumber, scenario.Outputs()["mfa-device"]);
        // Issue 18.11: no read-only plan role narrows the plan's session, and both the request and the log say so.
        Assert.Contains("⚠️ No read-only `plan-role-to-assume` is set: this code's session can do everything the CI user's own MFA session may, though TfMfa runs only a plan with it.", asked);
        Assert.Contains("::warning::The code for this plan unlocks a session that can do everything the CI user's own MFA session may", run.StandardOutput);
        Assert.Contains("environments.production.plan-role-to-assume", run.StandardOutput);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task Each_persons_code_goes_to_sts_with_their_own_device_and_a_code_from_another_device_fails(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        var alices = scenario.Aws.AddVirtualMfaDevice(scenario.User, "alice");
        var bobs = scenario.Aws.AddVirtualMfaDevice(scenario.User, "bob");
        scenario.AddPerson("bob");
        scenario.AddPerson("carol");
        scenario.WriteConfig(scenario.StartingConfig + $"devices:\n  {scenario.Login("alice")}: {alices.SerialNumber}\n  {scenario.Login("bob")}: {bobs.SerialNumber}\n");
        scenario.Variables["AWS_MFA_SERIAL_NUMBER"] = ""; // no shared device: not needed
        var fromAlicesPhone = "";
        var bobsOwn = "";
        scenario.PersonAnswers("carol", $"/mfa {scenario.CurrentCode()}");
        scenario.PersonAnswers("bob",
            () => $"/mfa {fromAlicesPhone = alices.CodeAt(scenario.Clock.GetUtcNow())}",
            () => $"/mfa {bobsOwn = bobs.CodeAt(scenario.Clock.GetUtcNow())}");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        // carol has no device of her own: refused before STS. bob's two codes both went with bob's device.
        Assert.Contains($"Ignored a /mfa comment by {scenario.Mention("carol")}: has no MFA device of their own under devices:", run.StandardOutput);
        var calls = scenario.CodesSentToSts;
        Assert.Equal([(fromAlicesPhone, bobs.SerialNumber), (bobsOwn, bobs.SerialNumber)], calls.Select(c => (c.TokenCode, c.SerialNumber)));
        Assert.NotNull(calls[0].ErrorCode); // alice's authenticator's code is no code for bob's device
        Assert.Null(calls[1].ErrorCode);
        Assert.Equal(bobs.SerialNumber, scenario.Outputs()["mfa-device"]);
        Assert.Contains($"The code was checked against {scenario.Login("bob")}'s own MFA device {bobs.SerialNumber}.", run.StandardOutput);
        Assert.Contains($"The code came from the MFA device `{bobs.SerialNumber}`.", scenario.LatestRequest()!.Text);
        Assert.Contains($"| MFA device | `{bobs.SerialNumber}` |", scenario.Summary());
        Assert.Contains("your own MFA device", scenario.LatestRequest()!.History[0]);
    }

    private const string AppliesOnly = "environments:\n  production:\n    level: applies-only\n";

    private static async Task<GateScenario> AppliesOnlyApplyAsync()
    {
        var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(AppliesOnly);
        scenario.Inputs["command"] = "apply";
        return scenario;
    }

    /// <summary>A root module with the scenario's S3 backend and these resources instead of the sample's.</summary>
    private static void Module(GateScenario scenario, string resources)
    {
        var main = Path.Combine(scenario.ModuleDirectory, "main.tf");
        var text = File.ReadAllText(main);
        File.WriteAllText(main, text[..text.IndexOf("resource \"terraform_data\"", StringComparison.Ordinal)] + resources);
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_applies_only_an_apply_plans_first_shows_the_plan_and_applies_exactly_that_plan_with_the_code()
    {
        await using var scenario = await AppliesOnlyApplyAsync();
        scenario.Inputs["terraform-args"] = "-parallelism=3";
        var code = "";
        code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        // terraform-args go to the plan that is shown; the saved plan is applied as it is.
        Assert.Matches(@"::group::terraform plan -input=false -lock=false -out=\S+\.tfplan -parallelism=3\n", run.StandardOutput);
        Assert.Matches(@"::group::terraform apply -input=false \S+\.tfplan\n", run.StandardOutput);
        var asked = scenario.RequestComment()!.History[0];
        Assert.Contains("#### The plan this code applies", asked);
        Assert.Contains("**Plan: 1 to add, 0 to change, 0 to destroy.**", asked);
        Assert.Contains("- `terraform_data.whoami`: create", asked);
        Assert.Contains("<details><summary>The plan as terraform shows it</summary>", asked);
        var sha = scenario.Outputs()["plan-sha256"];
        Assert.Matches("^[0-9a-f]{64}$", sha);
        Assert.Contains($"Plan file SHA-256 `{sha}`", asked);
        Assert.Contains($"Applying the plan shown in the request (SHA-256 {sha}).", run.StandardOutput);
        Assert.Contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.", run.StandardOutput);
        // The record, for whoever audits later: who, the device, and the plan's hash and counts.
        Assert.Contains($"The code applies the plan with SHA-256 `{sha}`: Plan: 1 to add, 0 to change, 0 to destroy.", scenario.RequestComment()!.Body);
        Assert.Contains($"| Plan | `{sha}`: Plan: 1 to add, 0 to change, 0 to destroy. |", scenario.Summary());
        Assert.Contains($"| MFA device | `{scenario.Device.SerialNumber}` |", scenario.Summary());

        // The plan read the state with the keys as given, before anyone typed a code; the apply wrote it with the session.
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        var all = scenario.Aws.Requests.ToList();
        var codeSent = all.FindIndex(r => r.TokenCode is not null);
        Assert.Contains(all.Take(codeSent), r => r.Service == "s3" && r.AccessKeyId == scenario.User.AccessKeyId);
        var s3 = scenario.S3Requests;
        Assert.All(s3.Where(r => r.Operation.StartsWith("Put", StringComparison.Ordinal)), r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Equal(session.AccessKeyId, TfMfa.StandIns.Terraform.SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory)["AWS_ACCESS_KEY_ID"]);
        // The applied plan is the file shown, and it is gone afterwards (it holds every value unredacted).
        var applyLine = run.StandardOutput.Split('\n').Single(l => l.Contains("terraform apply -input=false ", StringComparison.Ordinal));
        var planFile = applyLine[(applyLine.IndexOf("-input=false ", StringComparison.Ordinal) + 13)..].Trim();
        Assert.EndsWith(".tfplan", planFile);
        Assert.False(File.Exists(planFile));
        Assert.False(Directory.Exists(Path.GetDirectoryName(planFile))); // its private directory too
    }

    [Fact(Timeout = Timeout)]
    public async Task An_empty_plan_needs_no_code_and_applies_nothing()
    {
        await using var scenario = await AppliesOnlyApplyAsync();
        Module(scenario, "");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("The plan has no changes: nothing to apply, so no code is needed and nothing was applied.", run.StandardOutput);
        Assert.Null(scenario.RequestComment());
        Assert.Empty(scenario.CodesSentToSts);
        Assert.DoesNotContain("terraform apply", run.StandardOutput);
        Assert.Equal("true", scenario.Outputs()["mfa-required"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_plans_and_applies_an_empty_plan_takes_its_first_code_and_asks_for_no_second()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["command"] = "apply";
        Module(scenario, "");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("The plan has no changes: nothing to apply, so no second code is needed and nothing was applied.", run.StandardOutput);
        var request = Assert.Single(scenario.RequestComments());
        Assert.Contains("**First of two codes for `terraform apply` in `production`**", request.History[0]);
        Assert.Equal([code], scenario.CodesSentToSts.Select(c => c.TokenCode));
        Assert.DoesNotContain("terraform apply", run.StandardOutput);
        Assert.Contains("no second code was asked for", scenario.Summary());
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_plans_and_applies_no_second_code_in_time_applies_nothing_and_names_no_one()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["command"] = "apply";
        scenario.Inputs["timeout"] = "5s";
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}"); // the plan's code only

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("No MFA code arrived within 5s (the timeout).", run.StandardOutput);
        Assert.Contains("Plan: 1 to add, 0 to change, 0 to destroy.", run.StandardOutput);
        Assert.DoesNotContain("::group::terraform apply", run.StandardOutput);
        Assert.DoesNotContain("gate/terraform.tfstate", scenario.Bucket.Keys);
        var requests = scenario.RequestComments();
        Assert.Equal(2, requests.Count);
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", requests[0].Body);
        Assert.Contains("### ⌛ No MFA code arrived in time: `terraform apply` in `production` did not run", requests[1].Body);
        // The outputs name the code that applies: none came, so no one.
        var outputs = scenario.Outputs();
        Assert.Equal(("", "", ""), (outputs["authenticated-by"], outputs["mfa-device"], outputs["session-expiration"]));
        Assert.Matches("^[0-9a-f]{64}$", outputs["plan-sha256"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_value_marked_sensitive_never_reaches_the_request()
    {
        await using var scenario = await AppliesOnlyApplyAsync();
        Module(scenario, """
            variable "db_password" {
              type      = string
              sensitive = true
              default   = "hunter2-but-longer-and-secret"
            }

            resource "terraform_data" "db" {
              input = { password = var.db_password, name = "orders" }
            }
            """);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var request = scenario.RequestComment()!;
        Assert.Contains("- `terraform_data.db`: create", request.History[0]);
        Assert.Contains("(sensitive value)", request.History[0]);
        Assert.All(request.History, body => Assert.DoesNotContain("hunter2-but-longer-and-secret", body));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_plan_longer_than_a_comment_is_cut_to_the_limit_with_a_note()
    {
        await using var scenario = await AppliesOnlyApplyAsync();
        Module(scenario, """
            resource "terraform_data" "many" {
              count = 400
              input = "${count.index}-${join("", [for i in range(40) : "abcdefghij"])}"
            }
            """);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var asked = scenario.RequestComment()!.History[0];
        Assert.True(asked.Length <= TfMfa.RunLog.RequestCommentText.MaxLength, $"{asked.Length} characters");
        Assert.Contains("**Plan: 400 to add, 0 to change, 0 to destroy.**", asked);
        Assert.Contains("(cut here: the plan is longer than a comment can hold; the run log has all of it)", asked);
        Assert.Contains("- and 350 more", asked);
        Assert.Contains("Apply complete! Resources: 400 added", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_saved_plan_from_the_plan_job_is_applied_only_when_its_sha256_matches_and_the_request_shows_it()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        // The plan job: saves the plan and outputs its SHA-256.
        scenario.Inputs["plan-file"] = "tfplan";
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");
        var plan = await scenario.RunAsync();
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var sha = scenario.Outputs()["plan-sha256"];
        Assert.Matches("^[0-9a-f]{64}$", sha);

        // An apply job handed another plan's hash: refused before anyone is asked.
        scenario.Inputs["command"] = "apply";
        scenario.Inputs["plan-sha256"] = new string('0', 64);
        var requestsBefore = scenario.RequestComments().Count;
        var codesBefore = scenario.CodesSentToSts.Count;
        var refused = await scenario.RunAsync();
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"input 'plan-file': tfplan has SHA-256 {sha}, but input 'plan-sha256' demands {new string('0', 64)}", refused.StandardOutput);
        Assert.Equal(requestsBefore, scenario.RequestComments().Count);
        Assert.Equal(codesBefore, scenario.CodesSentToSts.Count);

        // With the plan job's hash: the request shows that plan, and that file is applied.
        scenario.Inputs["plan-sha256"] = sha.ToUpperInvariant();
        scenario.NextCodeWindow();
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");
        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var asked = scenario.RequestComment()!.History[0];
        Assert.Contains("terraform apply", asked);
        Assert.Contains($"Plan file SHA-256 `{sha}`", asked);
        Assert.Contains("- `terraform_data.whoami`: create", asked);
        Assert.Contains($"Applying the plan shown in the request (SHA-256 {sha}).", apply.StandardOutput);
        Assert.Contains("Apply complete! Resources: 1 added", apply.StandardOutput);
        Assert.Equal(sha, scenario.Outputs()["plan-sha256"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_plan_assumes_the_plan_role_and_an_apply_the_deploy_role_each_with_the_persons_source_identity()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var planRole = scenario.Aws.AddRole("terraform-plan", [scenario.User], requireMfa: true);
        var deployRole = scenario.Aws.AddRole("terraform-deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: plans-and-applies\n    role-to-assume: {deployRole.Arn}\n    plan-role-to-assume: {planRole.Arn}\n");
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");
        var plan = await scenario.RunAsync();
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains($"| AWS identity | the role `{planRole.Arn}` |", scenario.RequestComment()!.History[0]);

        scenario.Inputs["command"] = "apply";
        scenario.NextCodeWindow();
        var requestsBefore = scenario.RequestComments().Count;
        scenario.PersonAnswersBothCodes("alice");
        var apply = await scenario.RunAsync();

        Assert.True(apply.ExitCode == 0, apply.ToString());
        // The apply's plan, unlocked by its first code, assumes the plan role too; only its second code gets the deploy role.
        Assert.Equal([planRole.Arn, planRole.Arn, deployRole.Arn], scenario.Aws.IssuedSessions.Select(s => s.Role!.Arn));
        Assert.Contains($"| AWS identity | the role `{planRole.Arn}` |", scenario.RequestComments()[requestsBefore].History[0]);
        Assert.All(scenario.Aws.IssuedSessions, s => Assert.Equal(("alice", true), (s.SourceIdentity, s.MfaAuthenticated)));
        Assert.Contains($"| AWS identity | the role `{deployRole.Arn}` |", scenario.RequestComment()!.History[0]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_applies_only_the_apply_plans_as_the_plan_role_without_a_code_and_only_the_code_gets_the_deploy_role()
    {
        await using var scenario = await AppliesOnlyApplyAsync();
        var planRole = scenario.Aws.AddRole("terraform-plan", [scenario.User], requireMfa: false);
        var deployRole = scenario.Aws.AddRole("terraform-deploy", [scenario.User], requireMfa: true);
        scenario.WriteConfig($"environments:\n  production:\n    level: applies-only\n    role-to-assume: {deployRole.Arn}\n    plan-role-to-assume: {planRole.Arn}\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"applies-only: terraform plans first without a code (as {planRole.Arn}, no state lock)", run.StandardOutput);
        var sessions = scenario.Aws.IssuedSessions;
        Assert.Equal([(planRole.Arn, false), (deployRole.Arn, true)], sessions.Select(s => (s.Role!.Arn, s.MfaAuthenticated)));
        Assert.Equal(code, Assert.Single(scenario.CodesSentToSts).TokenCode);
        // The plan read the state as the plan role; nothing was written but by the deploy role's MFA session.
        Assert.Contains(scenario.S3Requests, r => r.AccessKeyId == sessions[0].AccessKeyId);
        Assert.DoesNotContain(scenario.S3Requests, r => r.AccessKeyId == scenario.User.AccessKeyId);
        Assert.All(scenario.S3Requests.Where(r => r.Operation.StartsWith("Put", StringComparison.Ordinal)), r => Assert.Equal(sessions[1].AccessKeyId, r.AccessKeyId));
        Assert.Contains($"| AWS identity | the role `{deployRole.Arn}` |", scenario.RequestComment()!.History[0]);
    }
}
