using TfMfa.Config;
using TfMfa.Inputs;

namespace TfMfa.Tests.Inputs;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkspacePathTests : IDisposable
{
    private const int Timeout = 10_000;
    private readonly string _root = Directory.CreateTempSubdirectory("tfmfa-paths-").FullName;
    private string Workspace => Path.Combine(_root, "ws");

    public WorkspacePathTests() => Directory.CreateDirectory(Path.Combine(Workspace, "infra"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("/etc", "must be a path relative to the workspace (got the absolute path '/etc')")]
    [InlineData("../outside", "'../outside' leads out of the workspace")]
    [InlineData("infra/../../outside", "leads out of the workspace")]
    public void A_path_that_leaves_the_workspace_is_refused_naming_the_input(string value, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => WorkspacePath.Resolve(Workspace, value, "working-directory"));

        Assert.Contains("input 'working-directory'", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_symlink_out_of_the_workspace_is_refused_even_part_way_along_the_path()
    {
        Directory.CreateDirectory(Path.Combine(_root, "elsewhere"));
        File.CreateSymbolicLink(Path.Combine(Workspace, "shared"), Path.Combine(_root, "elsewhere"));
        File.CreateSymbolicLink(Path.Combine(Workspace, "zero.yml"), "/dev/zero");

        Assert.Contains("is a symlink that leads out of the workspace", Assert.Throws<ConfigException>(() => WorkspacePath.Resolve(Workspace, "shared/tfmfa.yml", "config")).Message);
        Assert.Contains("(to /dev/zero)", Assert.Throws<ConfigException>(() => WorkspacePath.Resolve(Workspace, "zero.yml", "config")).Message);
    }

    [Fact]
    public void A_symlink_that_stays_inside_resolves_to_its_real_path()
    {
        File.WriteAllText(Path.Combine(Workspace, "infra", "real.yml"), "default-level: never\n");
        File.CreateSymbolicLink(Path.Combine(Workspace, "link.yml"), "infra/real.yml");

        Assert.Equal(Path.Combine(Workspace, "infra", "real.yml"), WorkspacePath.Resolve(Workspace, "./link.yml", "config"));
    }

    [Fact(Timeout = Timeout)]
    public void A_fifo_in_the_workspace_is_never_opened_so_it_cannot_hang_the_run()
    {
        var fifo = Path.Combine(Workspace, "pipe.yml");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();

        Assert.Equal("", WorkspacePath.ReadConfig(fifo, "pipe.yml"));
    }

    [Fact]
    public void A_config_over_the_limit_is_refused_with_its_size()
    {
        var big = Path.Combine(Workspace, "big.yml");
        File.WriteAllText(big, "# " + new string('x', WorkspacePath.MaxConfigBytes));

        var error = Assert.Throws<ConfigException>(() => WorkspacePath.ReadConfig(big, "big.yml"));

        Assert.Contains("input 'config': 'big.yml' is 1,048,578 bytes; a config is at most 1,048,576 bytes", error.Message);
    }

    private string Temp => Path.Combine(_root, "runner-temp");
    private string Infra => Path.Combine(Workspace, "infra");

    private string PlanFile(string value) => WorkspacePath.ResolvePlanFile(Workspace, Infra, [Temp], value);

    [Theory]
    [InlineData("tfplan", "ws/infra/tfplan")]
    [InlineData("plans/../tfplan", "ws/infra/tfplan")]
    [InlineData("../plans/tfplan", "ws/plans/tfplan")]
    [InlineData("{root}/ws/other/tfplan", "ws/other/tfplan")]
    [InlineData("{root}/runner-temp/plan/tfplan", "runner-temp/plan/tfplan")]
    public void A_plan_file_in_the_workspace_or_the_runners_temp_resolves_to_its_real_path(string value, string expected)
    {
        Directory.CreateDirectory(Temp);

        Assert.Equal(Path.Combine(_root, expected), PlanFile(value.Replace("{root}", _root, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/etc/passwd", "'/etc/passwd' is /etc/passwd, outside the workspace")]
    [InlineData("{root}/home/.terraformrc", "/home/.terraformrc, outside the workspace")]
    [InlineData("../../tfplan", "'../../tfplan' is resolved to {root}/tfplan, outside the workspace")]
    [InlineData("../../runner-temp-evil/tfplan", "outside the workspace")]
    [InlineData("~/tfplan", "starts with ~")]
    public void A_plan_file_elsewhere_is_refused_naming_the_input_and_what_to_do(string value, string expected)
    {
        Directory.CreateDirectory(Temp);

        var error = Assert.Throws<ConfigException>(() => PlanFile(value.Replace("{root}", _root, StringComparison.Ordinal)));

        Assert.StartsWith("input 'plan-file': ", error.Message);
        Assert.Contains(expected.Replace("{root}", _root, StringComparison.Ordinal), error.Message);
        if (!value.StartsWith('~')) Assert.Contains($"or the runner's temp directory ({Temp})", error.Message);
        Assert.Contains("save the plan next to the module (plan-file: tfplan) or under $RUNNER_TEMP", error.Message);
    }

    [Fact]
    public void A_plan_file_that_is_a_symlink_out_or_lies_under_one_is_refused()
    {
        Directory.CreateDirectory(Path.Combine(_root, "home"));
        File.CreateSymbolicLink(Path.Combine(Infra, "tfplan"), Path.Combine(_root, "home", ".terraformrc"));
        File.CreateSymbolicLink(Path.Combine(Infra, "plans"), Path.Combine(_root, "home"));

        foreach (var value in new[] { "tfplan", "plans/tfplan" })
            Assert.Contains("is a symlink that leads out of the workspace", Assert.Throws<ConfigException>(() => PlanFile(value)).Message);
    }

    [Fact]
    public void Without_a_runner_temp_only_the_workspace_counts()
    {
        Directory.CreateDirectory(Temp);

        var error = Assert.Throws<ConfigException>(() => WorkspacePath.ResolvePlanFile(Workspace, Infra, [], Path.Combine(Temp, "tfplan")));

        Assert.DoesNotContain("runner's temp directory (", error.Message);
    }
}
