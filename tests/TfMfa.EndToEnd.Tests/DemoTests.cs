using System.Reflection;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>The README's first command: the offline demo runs to its recap and exits 0, with or without terraform.</summary>
public sealed class DemoTests
{
    private static string DemoProgram => Path.GetFullPath(Path.Combine(
        typeof(DemoTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TfMfaDemoDirectory").Value!,
        "TfMfa.Demo.dll"));

    private static async Task<BufferedCommandResult> RunDemoAsync(string? path = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var environment = new Dictionary<string, string?> { ["NO_COLOR"] = "1" };
        if (path is not null) environment["PATH"] = path;
        return await Cli.Wrap("dotnet").WithArguments([DemoProgram]).WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
    }

    [Fact(Timeout = 200_000)]
    public async Task The_demo_runs_plan_and_apply_to_its_recap()
    {
        TerraformBinary.Require();

        var result = await RunDemoAsync();

        var output = result.StandardOutput;
        Assert.True(result.ExitCode == 0, output + result.StandardError);
        Assert.Contains("Notice: Authenticated with MFA by alice", output);
        Assert.Contains("Ignored a /mfa comment by @mallory: has read permission", output);
        Assert.Contains("> 🔴 The code from @alice was not accepted", output);
        Assert.Contains("Using the code in @alice's approval of environment 'production'.", output);
        Assert.Contains("Apply complete!", output);
        // plans-and-applies: the approval's code ran the plan, a second code on the pull request applied it.
        Assert.Contains("**Second of two codes**", output);
        Assert.Matches(@"Gated apply \(approval, then the plan\) +exit 0   Authenticated with MFA by alice", output);
        // The Azure Repos scene: the same gate as a task, a reader refused, alice's code taken from a thread.
        Assert.Contains("Ignored a /mfa comment by rob@contoso.com: has read permission, below approvers.min-permission (write)", output);
        Assert.Contains("Azure Repos pull-request plan (thread)   exit 0   Authenticated with MFA by alice@contoso.com", output);
        Assert.Contains("waiting = true, commit status tfmfa/production/plan: pending", output);
        Assert.Matches(@"Comment-trigger plan \(the reply starts the run\) +exit 0   Authenticated with MFA by alice", output);
        Assert.Contains("The commit status tfmfa/production/plan is now: success", output);
        Assert.DoesNotContain("##vso[task.setsecret]", output);
        Assert.Contains("writes by the long-term key: 0", output);
        // Issue 12's parts: alice's own device, and the plan an applies-only apply applies, in the request.
        Assert.Contains("The code was checked against alice's own MFA device arn:aws:iam::123456789012:mfa/alice.", output);
        Assert.Contains("**Plan: 1 to add, 0 to change, 1 to destroy.**", output);
        Assert.Contains("Staging apply (the plan in the request)  exit 0   Authenticated with MFA by alice", output);
        Assert.Contains("The demo finished as expected.", output);
        Assert.DoesNotContain("::add-mask::", output);
    }

    [Fact(Timeout = 200_000)]
    public async Task Without_terraform_the_demo_says_how_to_install_it_and_still_shows_the_mfa_part()
    {
        var dotnet = Path.GetDirectoryName(Environment.ProcessPath) ?? "/usr/share/dotnet";
        var result = await RunDemoAsync($"{dotnet}:/usr/bin:/bin");

        var output = result.StandardOutput;
        Assert.True(result.ExitCode == 0, output + result.StandardError);
        Assert.Contains("terraform is not on PATH", output);
        Assert.Contains("https://developer.hashicorp.com/terraform/install", output);
        Assert.Contains("Authenticated with MFA by alice", output);
        Assert.Contains("The demo finished as expected.", output);
    }
}
