using System.Diagnostics;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// The task's Node shim under real Node: which binary it picks, that it unpacks it into a private
/// directory of its own under the agent's temp directory, checks it, and removes it after the run,
/// passes the agent's environment through (and nothing on the command line), forwards SIGINT/SIGTERM,
/// and reports a failure with task.complete and exit 0.
/// </summary>
public sealed class TaskShimTests : IDisposable
{
    private const int Timeout = 60_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("tfmfa-shim-").FullName;
    private string AgentTemp => Path.Combine(_folder, "agent-temp");
    private string Bin => Path.Combine(_folder, "bin", "linux-x64");
    private string Packed => Path.Combine(Bin, "tfmfa.br");
    private static string Shim => Path.Combine(RepositoryRoot.Path, "azure-pipelines", "task", "index.js");

    public TaskShimTests()
    {
        NodeBinary.Require();
        File.Copy(Shim, Path.Combine(_folder, "index.js"));
        Directory.CreateDirectory(AgentTemp);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Script(string script) => System.Text.Encoding.UTF8.GetBytes("#!/bin/sh\n" + script + "\n");

    /// <summary>A stand-in for tfmfa at the place the shim looks on this machine (linux-x64), packed as build-vsix packs it.</summary>
    private void FakeBinary(string script) => TaskFolder.Pack(Bin, "tfmfa", Script(script));

    /// <summary>The shim as the agent starts it, with <see cref="AgentTemp"/> as the agent's temp directory unless the test says otherwise.</summary>
    private async Task<BufferedCommandResult> RunShimAsync(IReadOnlyDictionary<string, string?>? environment = null, params string[] nodeOptions)
    {
        var variables = new Dictionary<string, string?> { ["AGENT_TEMPDIRECTORY"] = AgentTemp };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) variables[name] = value;
        return await Cli.Wrap(NodeBinary.Path!)
            .WithArguments([.. nodeOptions, Path.Combine(_folder, "index.js")])
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Ct);
    }

    private static void AssertSucceeded(BufferedCommandResult result) =>
        Assert.True(result.ExitCode == 0 && !result.StandardOutput.Contains("result=Failed", StringComparison.Ordinal),
            $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");

    [Theory(Timeout = Timeout)]
    [InlineData("linux", "x64", "bin/linux-x64/tfmfa.br")]
    [InlineData("linux", "arm64", "bin/linux-arm64/tfmfa.br")]
    [InlineData("win32", "x64", "bin/win-x64/tfmfa.exe.br")]
    [InlineData("darwin", "arm64", "bin/osx-arm64/tfmfa.br")]
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
        // The variables the shim adds: the image's GC budget (docs/performance.md, section 5), and no diagnostics port.
        Assert.Contains("DOTNET_GCgen0size=0x400000", lines);
        Assert.Contains("DOTNET_EnableDiagnostics=0", lines);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_gc_budget_the_pipeline_sets_wins_over_the_shims()
    {
        var seen = Path.Combine(_folder, "seen.txt");
        FakeBinary($"env > '{seen}'");

        var result = await RunShimAsync(new Dictionary<string, string?> { ["DOTNET_GCgen0size"] = "0x1000000" });

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("DOTNET_GCgen0size=0x1000000", File.ReadAllLines(seen));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_disk_that_cannot_take_the_binary_is_reported_as_the_disk_not_as_a_damaged_package()
    {
        // 4 MB of binary that compresses poorly (so brotli is still at work when the disk refuses) against a
        // 100-block file size limit: the write fails (EFBIG) as on a full disk (ENOSPC).
        FakeBinary("exit 0\n#" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3_000_000)));

        var result = await Cli.Wrap("sh")
            .WithArguments(["-c", "ulimit -f 100; exec \"$0\" \"$1\"", NodeBinary.Path!, Path.Combine(_folder, "index.js")])
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["AGENT_TEMPDIRECTORY"] = AgentTemp })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Ct);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]Could not unpack the TfMfa task's linux-x64 binary", result.StandardOutput);
        Assert.Contains("EFBIG", result.StandardOutput);
        Assert.DoesNotContain("damaged", result.StandardOutput);
        Assert.Empty(Directory.EnumerateFileSystemEntries(AgentTemp));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_pipeline_cannot_turn_the_diagnostics_port_back_on()
    {
        var seen = Path.Combine(_folder, "seen.txt");
        FakeBinary($"env > '{seen}'");

        var result = await RunShimAsync(new Dictionary<string, string?> { ["DOTNET_EnableDiagnostics"] = "1" });

        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(seen);
        Assert.Contains("DOTNET_EnableDiagnostics=0", lines);
        Assert.DoesNotContain("DOTNET_EnableDiagnostics=1", lines);
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
        var start = new ProcessStartInfo(NodeBinary.Path!, Path.Combine(_folder, "index.js")) { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment["AGENT_TEMPDIRECTORY"] = AgentTemp;
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(Ct);
        while (!File.Exists(started)) await Task.Delay(20, Ct);

        await Cli.Wrap("kill").WithArguments([$"-{signal}", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExecuteAsync(Ct);
        await node.WaitForExitAsync(Ct);

        Assert.Equal(signal, File.ReadAllText(got).Trim());
        Assert.Equal(0, node.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]tfmfa failed (exit code 130)", await output);
        Assert.Empty(Directory.GetFileSystemEntries(AgentTemp)); // the unpacked copy went with it
    }

    [Theory(Timeout = Timeout)]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Tfmfa_runs_from_a_private_directory_under_the_agents_temp_that_is_gone_after_the_run(int exitCode)
    {
        var seen = Path.Combine(_folder, "seen.txt");
        FakeBinary($"echo \"$0\" > '{seen}'; stat -c %a \"$0\" \"$(dirname \"$0\")\" >> '{seen}'; exit {exitCode}");

        var result = await RunShimAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(exitCode != 0, result.StandardOutput.Contains("result=Failed", StringComparison.Ordinal));
        var lines = File.ReadAllLines(seen);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(AgentTemp)}/tfmfa-[^/]+/tfmfa$", lines[0]);
        Assert.Equal(["700", "700"], lines[1..]); // neither the binary nor its directory is open to other users
        Assert.False(Directory.Exists(Path.GetDirectoryName(lines[0])));
        Assert.Empty(Directory.GetFileSystemEntries(AgentTemp));
        Assert.True(File.Exists(Packed)); // the task folder itself is left as installed
    }

    [Fact(Timeout = Timeout)]
    public async Task Without_an_agent_temp_directory_the_binary_is_unpacked_under_the_systems_temp_and_removed()
    {
        var temp = Directory.CreateDirectory(Path.Combine(_folder, "tmp")).FullName;
        var seen = Path.Combine(_folder, "seen.txt");
        FakeBinary($"echo \"$0\" > '{seen}'");

        var result = await RunShimAsync(new Dictionary<string, string?> { ["AGENT_TEMPDIRECTORY"] = null, ["TMPDIR"] = temp });

        AssertSucceeded(result);
        Assert.StartsWith(Path.Combine(temp, "tfmfa-"), File.ReadAllText(seen).Trim());
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    }

    [Fact(Timeout = Timeout)]
    public async Task Two_runs_at_once_each_unpack_and_remove_their_own_copy()
    {
        var seen = Path.Combine(_folder, "seen.txt");
        // Each waits (at most 10 s) until both have started, so the two copies exist side by side.
        FakeBinary($"echo \"$0\" >> '{seen}'; touch '{_folder}/started.'$$; i=0; " +
                   $"while [ $(ls '{_folder}' | grep -c '^started\\.') -lt 2 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; [ $i -lt 200 ]");

        var runs = await Task.WhenAll(RunShimAsync(), RunShimAsync());

        Assert.All(runs, AssertSucceeded);
        var paths = File.ReadAllLines(seen);
        Assert.Equal(2, paths.Distinct().Count());
        Assert.Empty(Directory.GetFileSystemEntries(AgentTemp));
    }

    public static TheoryData<string> Damages => ["another program under the same checksum", "not brotli", "cut off", "no checksum", "a checksum of something else"];

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_binary_is_refused_before_anything_runs_and_the_task_says_to_reinstall(string damage)
    {
        var ran = Path.Combine(_folder, "ran");
        FakeBinary($"touch '{ran}'");
        var checksum = Path.Combine(Bin, "tfmfa.sha256");
        switch (damage)
        {
            case "another program under the same checksum":
                var expected = File.ReadAllText(checksum);
                FakeBinary($"touch '{ran}'; echo tampered");
                File.WriteAllText(checksum, expected);
                break;
            case "not brotli":
                File.WriteAllText(Packed, "#!/bin/sh\ntouch '" + ran + "'\n");
                break;
            case "cut off":
                var bytes = File.ReadAllBytes(Packed);
                File.WriteAllBytes(Packed, bytes[..(bytes.Length / 2)]);
                break;
            case "no checksum":
                File.Delete(checksum);
                break;
            case "a checksum of something else":
                File.WriteAllText(checksum, new string('0', 64) + "\n");
                break;
        }

        var result = await RunShimAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"##vso[task.complete result=Failed;]The TfMfa task's linux-x64 binary ({Packed}) is damaged: ", result.StandardOutput);
        Assert.Contains("; reinstall the extension.", result.StandardOutput);
        Assert.False(File.Exists(ran), "the damaged binary ran");
        Assert.Empty(Directory.GetFileSystemEntries(AgentTemp));
    }
}
