using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// The task's Node shim under real Node: which binary it picks, that it passes the agent's
/// environment through (and nothing on the command line), forwards SIGINT/SIGTERM, and reports a
/// failure with task.complete and exit 0.
/// </summary>
public sealed class TaskShimTests : IDisposable
{
    private const int Timeout = 60_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("tfmfa-shim-").FullName;
    private static string Shim => Path.Combine(RepositoryRoot.Path, "azure-pipelines", "task", "index.js");

    public TaskShimTests()
    {
        NodeBinary.Require();
        File.Copy(Shim, Path.Combine(_folder, "index.js"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A stand-in for tfmfa at the place the shim looks on this machine (linux-x64).</summary>
    private void FakeBinary(string script)
    {
        var path = Path.Combine(_folder, "bin", "linux-x64", "tfmfa");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        // Deliberately not executable: a .vsix does not keep the bit, and the shim must restore it.
    }

    private async Task<BufferedCommandResult> RunShimAsync(IReadOnlyDictionary<string, string?>? environment = null, params string[] nodeOptions) =>
        await Cli.Wrap(NodeBinary.Path!)
            .WithArguments([.. nodeOptions, Path.Combine(_folder, "index.js")])
            .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Ct);

    [Theory(Timeout = Timeout)]
    [InlineData("linux", "x64", "bin/linux-x64/tfmfa")]
    [InlineData("linux", "arm64", "bin/linux-arm64/tfmfa")]
    [InlineData("win32", "x64", "bin/win-x64/tfmfa.exe")]
    [InlineData("darwin", "arm64", "bin/osx-arm64/tfmfa")]
    [InlineData("darwin", "x64", "none")]
    [InlineData("win32", "arm64", "none")]
    public async Task The_shim_picks_the_binary_for_the_agents_platform(string platform, string arch, string expected)
    {
        var result = await Cli.Wrap(NodeBinary.Path!)
            .WithArguments(["-e", $"const p = require(process.argv[1]).binaryFor('{platform}', '{arch}', '/task'); console.log(p ? require('path').relative('/task', p).split(require('path').sep).join('/') : 'none')", Shim])
            .ExecuteBufferedAsync(Ct);

        Assert.Equal(expected, result.StandardOutput.Trim());
    }

    [Fact(Timeout = Timeout)]
    public async Task An_agent_without_a_build_gets_a_failed_task_naming_its_platform()
    {
        var preload = Path.Combine(_folder, "sunos.js");
        File.WriteAllText(preload, "Object.defineProperty(process, 'platform', { value: 'sunos' });");

        var result = await RunShimAsync(null, "--require", preload);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]TfMfa has no build for this agent (sunos-x64)", result.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_environment_reaches_tfmfa_untouched_and_nothing_goes_on_its_command_line()
    {
        var seen = Path.Combine(_folder, "seen.txt");
        FakeBinary($"echo \"args=$#\" > '{seen}'; env >> '{seen}'");

        var result = await RunShimAsync(new Dictionary<string, string?>
        {
            ["INPUT_COMMAND"] = "plan",
            ["ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN"] = "job-token-value",
            ["AWS_SECRET_ACCESS_KEY"] = "secret-key-value",
        });

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("result=Failed", result.StandardOutput);
        var lines = File.ReadAllLines(seen);
        Assert.Equal("args=0", lines[0]);
        Assert.Contains("INPUT_COMMAND=plan", lines);
        Assert.Contains("ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN=job-token-value", lines);
        Assert.Contains("AWS_SECRET_ACCESS_KEY=secret-key-value", lines);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_failing_tfmfa_is_reported_with_task_complete_and_node_exits_0()
    {
        FakeBinary("echo 'terraform said no'; exit 3");

        var result = await RunShimAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("terraform said no", result.StandardOutput);
        Assert.Contains("##vso[task.logissue type=error]tfmfa failed (exit code 3)", result.StandardOutput);
        Assert.Contains("##vso[task.complete result=Failed;]tfmfa failed (exit code 3)", result.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_missing_binary_is_a_failed_task_that_says_to_reinstall()
    {
        var result = await RunShimAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]The TfMfa task is missing its linux-x64 binary", result.StandardOutput);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_to_the_shim_reaches_tfmfa(string signal)
    {
        var started = Path.Combine(_folder, "started");
        var got = Path.Combine(_folder, "got");
        FakeBinary($"trap 'echo {signal} > \"{got}\"; exit 130' {signal}; touch '{started}'; while true; do sleep 0.05; done");
        using var node = Process.Start(new ProcessStartInfo(NodeBinary.Path!, Path.Combine(_folder, "index.js")) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        while (!File.Exists(started)) await Task.Delay(20, Ct);

        await Cli.Wrap("kill").WithArguments([$"-{signal}", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExecuteAsync(Ct);
        await node.WaitForExitAsync(Ct);

        Assert.Equal(signal, File.ReadAllText(got).Trim());
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]tfmfa failed (exit code 130)", await output);
    }
}
