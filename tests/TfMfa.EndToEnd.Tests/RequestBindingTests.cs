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
    }

    [Fact(Timeout = Timeout)]
    public async Task Each_persons_code_goes_to_sts_with_their_own_device_and_a_code_from_another_device_fails()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var alices = scenario.Aws.AddVirtualMfaDevice(scenario.User, "alice");
        var bobs = scenario.Aws.AddVirtualMfaDevice(scenario.User, "bob");
        scenario.GitHub.AddUser("bob", "write");
        scenario.GitHub.AddUser("carol", "write");
        scenario.WriteConfig(GateScenario.ProductionConfig + $"devices:\n  alice: {alices.SerialNumber}\n  bob: {bobs.SerialNumber}\n");
        scenario.ExtraEnvironment["AWS_MFA_SERIAL_NUMBER"] = ""; // no shared device: not needed
        var fromAlicesPhone = alices.CodeAt(scenario.Clock.GetUtcNow());
        var bobsOwn = bobs.CodeAt(scenario.Clock.GetUtcNow());
        scenario.PersonAnswers("carol", $"/mfa {scenario.CurrentCode()}");
        scenario.PersonAnswers("bob", $"/mfa {fromAlicesPhone}", $"/mfa {bobsOwn}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        // carol has no device of her own: refused before STS. bob's two codes both went with bob's device.
        Assert.Contains("Ignored a /mfa comment by @carol: has no MFA device of their own under devices:", run.StandardOutput);
        var calls = scenario.CodesSentToSts;
        Assert.Equal([(fromAlicesPhone, bobs.SerialNumber), (bobsOwn, bobs.SerialNumber)], calls.Select(c => (c.TokenCode, c.SerialNumber)));
        Assert.NotNull(calls[0].ErrorCode); // alice's authenticator's code is no code for bob's device
        Assert.Null(calls[1].ErrorCode);
        Assert.Equal(bobs.SerialNumber, scenario.Outputs()["mfa-device"]);
        Assert.Contains($"The code was checked against bob's own MFA device {bobs.SerialNumber}.", run.StandardOutput);
        Assert.Contains($"The code came from the MFA device `{bobs.SerialNumber}`.", scenario.RequestComment()!.Body);
        Assert.Contains($"| MFA device | `{bobs.SerialNumber}` |", scenario.Summary());
        Assert.Contains("your own MFA device", scenario.RequestComment()!.History[0]);
    }
}
