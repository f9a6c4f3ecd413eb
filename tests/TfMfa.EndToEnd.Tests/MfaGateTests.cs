using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd;

/// <summary>The real program, the AWS stand-in and the real terraform binary, with codes typed on standard input.</summary>
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
        var plan = await scenario.RunAsync(planCode);

        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("Authenticated with MFA by alice", plan.StandardOutput);
        var planSession = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.True(planSession.MfaAuthenticated);
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(planSession.AccessKeyId, r.AccessKeyId));

        scenario.NextCodeWindow();
        scenario.Inputs["command"] = "apply";
        var applyCode = scenario.CurrentCode();
        var apply = await scenario.RunAsync(applyCode);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        var applySession = scenario.Aws.IssuedSessions.Single(s => s.AccessKeyId != planSession.AccessKeyId);
        var seen = SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(applySession.AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        Assert.Equal(applySession.SessionToken, seen["AWS_SESSION_TOKEN"]);
        Assert.Equal("us-east-1", seen["AWS_REGION"]);
        Assert.Equal("1", seen["TF_IN_AUTOMATION"]);
        Assert.False(seen.ContainsKey("AWS_MFA_SERIAL_NUMBER"));
        Assert.Contains("gate/terraform.tfstate", scenario.Bucket.Keys);

        var outputs = scenario.Outputs();
        Assert.Equal("true", outputs["mfa-required"]);
        Assert.Equal("alice", outputs["authenticated-by"]);
        Assert.Equal("0", outputs["exit-code"]);
        Assert.Contains("Authenticated with MFA by alice", scenario.Summary());
        SecretScan.AssertNoSecrets(scenario, [plan, apply], planCode, applyCode);
    }
}
