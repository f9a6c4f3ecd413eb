using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18, part 11: <c>plan-file</c> is confined like working-directory and config, through the
/// real program and real terraform. A plan job whose plan-file leads elsewhere would have terraform
/// write its plan over any file the job can write; here, the CLI config in the runner's home.
/// </summary>
public sealed class PlanFileTests
{
    private const int Timeout = 180_000;

    /// <summary>Plans need no code here, so terraform would run at once with the keys as given.</summary>
    private const string PlansWithoutCode = "environments:\n  production:\n    level: applies-only\n";

    [Theory(Timeout = Timeout)]
    [InlineData("symlink")]
    [InlineData("absolute")]
    [InlineData("dot-dot")]
    public async Task A_plan_file_outside_the_workspace_and_the_runners_temp_is_refused_before_terraform_runs(string how)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(PlansWithoutCode);
        var target = Path.Combine(scenario.Home, ".terraformrc"); // the CLI config terraform reads (TF_CLI_CONFIG_FILE)
        var before = File.ReadAllText(target);
        var runnerTemp = Directory.CreateDirectory(Path.Combine(scenario.Root, "runner-temp")).FullName;
        scenario.Variables["RUNNER_TEMP"] = runnerTemp;
        scenario.Inputs["plan-file"] = how switch
        {
            "symlink" => Link(scenario.ModuleDirectory, "tfplan", target),
            "absolute" => target,
            _ => Path.GetRelativePath(scenario.ModuleDirectory, target),
        };

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"::error::input 'plan-file': '{scenario.Inputs["plan-file"]}' ", run.StandardOutput);
        Assert.Contains(how == "symlink" ? "is a symlink that leads out of the workspace" : ", outside the workspace", run.StandardOutput);
        Assert.Contains($"or the runner's temp directory ({runnerTemp})", run.StandardOutput);
        Assert.Contains("save the plan next to the module (plan-file: tfplan) or under $RUNNER_TEMP", run.StandardOutput);
        Assert.Equal(before, File.ReadAllText(target)); // terraform never wrote its plan there
        Assert.DoesNotContain("::group::terraform", run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_plan_file_under_the_runners_temp_is_saved_and_hashed()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(PlansWithoutCode);
        var runnerTemp = Directory.CreateDirectory(Path.Combine(scenario.Root, "runner-temp")).FullName;
        // The runner's temp belongs to the runner's user, whom terraform runs as; as root here, open it to terraform's uid.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(runnerTemp, (UnixFileMode)0b111_111_111);
        scenario.Variables["RUNNER_TEMP"] = runnerTemp;
        scenario.Inputs["plan-file"] = Path.Combine(runnerTemp, "tfplan");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(runnerTemp, "tfplan")));
        Assert.Matches("^[0-9a-f]{64}$", scenario.Outputs()["plan-sha256"]);
    }

    private static string Link(string directory, string name, string target)
    {
        File.CreateSymbolicLink(Path.Combine(directory, name), target);
        return name;
    }
}
