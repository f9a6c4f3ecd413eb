using System.Reflection;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd.Infrastructure;

public sealed record ActionResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string AllOutput => StandardOutput + "\n" + StandardError;

    /// <summary>Every line but the <c>::add-mask::</c> ones, where a secret is allowed (the runner swallows them).</summary>
    public IEnumerable<string> LinesOutsideMasks =>
        AllOutput.Split('\n').Where(l => !l.StartsWith("::add-mask::", StringComparison.Ordinal));

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs the real tfmfa program, as the runner would, with a clean environment of our choosing.</summary>
public static class ActionProcess
{
    public static string ProgramPath { get; } = Path.GetFullPath(Path.Combine(
        typeof(ActionProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TfMfaActionDirectory").Value!,
        "tfmfa.dll"));

    /// <param name="runAsUser">A uid to run the program as (through setpriv), so its children are not root; null runs it as this process's user.</param>
    public static async Task<ActionResult> RunAsync(IReadOnlyDictionary<string, string> environment, string standardInput, TimeSpan timeout,
        IReadOnlyList<string>? args = null, int? runAsUser = null, string? programPath = null, bool underParentShell = false)
    {
        // Nothing from the test runner's own AWS, GitHub or terraform settings may leak into the run.
        var variables = JobEnvironment.Isolated(environment);

        using var cancellation = new CancellationTokenSource(timeout);
        IReadOnlyList<string> command = ["dotnet", programPath ?? ProgramPath, .. args ?? []];
        // A parent that stays, with the job's whole environment: what the Azure task's Node shim is to tfmfa.
        // (Node, as the shim is: a POSIX shell would drop the variables whose names hold a '-', INPUT_GITHUB-TOKEN among them.)
        if (underParentShell)
        {
            NodeBinary.Require();
            command = [NodeBinary.Path!, "-e", "process.exitCode = require('child_process').spawnSync(process.argv[1], process.argv.slice(2), { stdio: 'inherit' }).status", .. command];
        }
        if (runAsUser is { } uid)
            command = ["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", .. command];
        var result = await Cli.Wrap(command[0])
            .WithArguments(command.Skip(1))
            .WithEnvironmentVariables(variables)
            .WithStandardInputPipe(PipeSource.FromString(standardInput))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellation.Token);
        return new ActionResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
