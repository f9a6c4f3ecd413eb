using System.Text;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Releases;

namespace TfMfa.EndToEnd;

/// <summary>
/// The terraform the module needs (issue 10): fetched at run time from a releases mirror in
/// HashiCorp's layout (the stand-in signs with a key of its own, given as releases-key), verified,
/// and only then run; every way it can go wrong stops the run before anyone is asked for a code.
/// </summary>
public sealed class TerraformVersionTests
{
    private const int Timeout = 180_000;

    /// <summary>A release whose binary notes that it ran, then runs this machine's terraform.</summary>
    private static byte[] Wrapper(string label, string marker) =>
        Encoding.UTF8.GetBytes($"#!/bin/sh\necho \"{label} $*\" >> '{marker}'\nexec '{TerraformBinary.Path}' \"$@\"\n");

    private static async Task<(GateScenario Scenario, ReleasesStandIn Releases, string Marker)> StartAsync(bool trustMirrorKey = true)
    {
        TerraformBinary.Require();
        var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        var releases = await ReleasesStandIn.StartAsync();
        // In the module, which terraform's own uid may write (as root, TfMfa runs terraform as another uid).
        var marker = Path.Combine(scenario.ModuleDirectory, "ran.txt");
        foreach (var version in new[] { "1.9.5", "1.9.8", "1.10.2", "1.11.1", "1.11.3" })
            releases.AddRelease("terraform", version, Wrapper($"terraform-{version}", marker));
        releases.AddRelease("tofu", "1.8.3", Wrapper("tofu-1.8.3", marker));
        scenario.Inputs["releases-url"] = releases.Url;
        if (trustMirrorKey) scenario.Inputs["releases-key"] = releases.ArmoredPublicKey;
        return (scenario, releases, marker);
    }

    private static string Ran(string marker) => File.Exists(marker) ? File.ReadAllText(marker) : "";

    [Theory(Timeout = Timeout)]
    [InlineData("1.9.5", "terraform-1.9.5")]
    [InlineData("~> 1.9.0", "terraform-1.9.8")]
    [InlineData(">= 1.9, < 1.11", "terraform-1.10.2")]
    [InlineData(">= 1.9, < 2.0", "terraform-1.11.3")]
    public async Task A_version_or_constraint_runs_the_release_it_names_after_verifying_it(string asked, string expected)
    {
        var (scenario, releases, marker) = await StartAsync();
        await using var _ = scenario;
        await using var __ = releases;
        scenario.Inputs["terraform-version"] = asked;

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{expected} init -input=false", Ran(marker));
        Assert.Contains($"{expected} plan -input=false", Ran(marker));
        Assert.Contains($"verified: SHA256SUMS signed by input 'releases-key'", run.StandardOutput);
        Assert.Contains("zip SHA256 matches", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task Auto_reads_required_version_from_the_root_module()
    {
        var (scenario, releases, marker) = await StartAsync();
        await using var _ = scenario;
        await using var __ = releases;
        // The wrapper runs this machine's terraform 1.11.4, which checks required_version itself.
        File.WriteAllText(Path.Combine(scenario.ModuleDirectory, "versions.tf"), "terraform {\n  required_version = \"~> 1.11.0\"\n}\n");
        scenario.Inputs["terraform-version"] = "auto";

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using terraform 1.11.3 (required_version in infra/versions.tf: ~> 1.11.0)", run.StandardOutput);
        Assert.Contains("terraform-1.11.3 plan", Ran(marker));
    }

    [Fact(Timeout = Timeout)]
    public async Task Auto_reads_a_terraform_version_file_when_the_module_names_none()
    {
        var (scenario, releases, marker) = await StartAsync();
        await using var _ = scenario;
        await using var __ = releases;
        File.WriteAllText(Path.Combine(scenario.Workspace, ".terraform-version"), "1.9.5\n");
        scenario.Inputs["terraform-version"] = "auto";

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(.terraform-version: 1.9.5)", run.StandardOutput);
        Assert.Contains("terraform-1.9.5 plan", Ran(marker));
    }

    [Fact(Timeout = Timeout)]
    public async Task OpenTofu_runs_tofu_fetched_and_verified_the_same_way_behind_the_same_gate()
    {
        var (scenario, releases, marker) = await StartAsync();
        await using var _ = scenario;
        await using var __ = releases;
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Inputs["terraform-tool"] = "opentofu";
        scenario.Inputs["terraform-version"] = "1.8.3";
        scenario.Inputs["command"] = "apply";
        var (planCode, applyCode) = scenario.PersonAnswersBothCodes("alice");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using OpenTofu 1.8.3", run.StandardOutput);
        Assert.Contains("::group::tofu plan -input=false -lock=false -out=", run.StandardOutput);
        Assert.Contains("::group::tofu apply -input=false ", run.StandardOutput);
        Assert.Contains("tofu-1.8.3 apply", Ran(marker));
        Assert.Contains(releases.Requests, r => r == "/tofu/1.8.3/tofu_1.8.3_SHA256SUMS.gpgsig");
        var seen = TfMfa.StandIns.Terraform.SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(scenario.Aws.IssuedSessions[^1].AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        SecretScan.AssertNoSecrets(scenario, [run], planCode, applyCode);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "tampered zip", "terraform 1.9.8: terraform_1.9.8_linux_amd64.zip has SHA256 " },
        { "stranger's signature", "terraform 1.9.8: terraform_1.9.8_SHA256SUMS is not signed by input 'releases-key''s key" },
        { "HashiCorp's key, the mirror's signature", "terraform 1.9.8: terraform_1.9.8_SHA256SUMS is not signed by HashiCorp's key (C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F)" },
        { "unknown version", "terraform 1.9.9 does not exist: " },
        { "constraint no release meets", "the terraform-version input: no terraform release meets '~> 1.12' (the newest of 5 is 1.11.3)" },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(Refusals))]
    public async Task Nothing_unverified_runs_and_the_error_names_the_version_and_what_to_do(string fault, string expected)
    {
        var (scenario, releases, marker) = await StartAsync(trustMirrorKey: fault != "HashiCorp's key, the mirror's signature");
        await using var _ = scenario;
        await using var __ = releases;
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Inputs["terraform-version"] = fault switch { "unknown version" => "1.9.9", "constraint no release meets" => "~> 1.12", _ => "1.9.8" };
        if (fault == "tampered zip") releases.TamperWithZip("terraform", "1.9.8", Encoding.UTF8.GetBytes("#!/bin/sh\necho pwned >> '" + marker + "'\n"));
        if (fault == "stranger's signature") releases.SignWithAStrangersKey("terraform", "1.9.8");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::" + expected, run.StandardOutput);
        Assert.Equal("", Ran(marker)); // nothing ran
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest)); // and nobody was asked for a code
        Assert.Empty(scenario.CodesSentToSts);
    }
}
