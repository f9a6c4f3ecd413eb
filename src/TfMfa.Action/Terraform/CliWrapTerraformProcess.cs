using System.ComponentModel;
using CliWrap;
using TfMfa.Hosting;

namespace TfMfa.Terraform;

/// <summary>
/// terraform through CliWrap, with graceful cancellation: SIGINT so terraform can release its state
/// lock, then a kill after <paramref name="gracePeriod"/>. The child inherits <paramref name="inherited"/>
/// (the process's own environment) minus <see cref="ChildEnvironment.Denied"/>, whatever the invocation asks,
/// and runs inside <paramref name="sandbox"/>'s walls; <paramref name="warn"/> hears of processes it left behind.
/// </summary>
public sealed class CliWrapTerraformProcess(string executable, TimeSpan gracePeriod, IEnvironment inherited, TerraformSandbox sandbox, Action<string> warn) : ITerraformProcess
{
    /// <summary>Ten seconds: terraform needs a moment to write state and release an S3 lock; GitHub's runner escalates soon after.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    /// <summary>How long leftovers get to die: SIGKILL cannot be caught, so only a process stuck in the kernel outlasts this.</summary>
    public static readonly TimeSpan LeftoverPatience = TimeSpan.FromSeconds(5);

    /// <summary>The process boundary with no walls and nothing killed, for tests of the boundary itself.</summary>
    public CliWrapTerraformProcess(string executable, TimeSpan gracePeriod, IEnvironment inherited)
        : this(executable, gracePeriod, inherited, TerraformSandbox.Unwalled(inherited), _ => { })
    {
    }

    public (string Description, IReadOnlyList<string> Limits) Prepare(string workingDirectory)
    {
        sandbox.Prepare(workingDirectory);
        return (sandbox.Description, sandbox.Limits);
    }

    public string NewPlanPath() => sandbox.NewPlanPath();

    public string Seal(string planFile) => sandbox.Seal(planFile);

    public async Task<int> RunAsync(TerraformInvocation invocation, OutputReader standardOutput, OutputReader standardError, CancellationToken cancellationToken)
    {
        using var forceful = new CancellationTokenSource();
        await using var escalate = cancellationToken.Register(() => forceful.CancelAfter(gracePeriod));
        using var directories = sandbox.ForOneRun();

        var binary = invocation.Executable ?? executable;
        var (program, arguments) = sandbox.Launch(binary, invocation.Arguments);
        var changes = new Dictionary<string, string?>(invocation.EnvironmentChanges, StringComparer.Ordinal);
        foreach (var (name, value) in directories.EnvironmentChanges) changes[name] = value;
        var command = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(invocation.WorkingDirectory)
            .WithEnvironmentVariables(ChildEnvironment.Merge(inherited.All().Keys, changes))
            // The raw pipes: the reader decides how to cut and decode (the log copies bytes, no string per line).
            .WithStandardOutputPipe(PipeTarget.Create((stream, token) => { PipeCapacity.Widen(stream); return standardOutput(stream, token); }))
            .WithStandardErrorPipe(PipeTarget.Create((stream, token) => { PipeCapacity.Widen(stream); return standardError(stream, token); }))
            .WithValidation(CommandResultValidation.None);
        try
        {
            var running = command.ExecuteAsync(forceful.Token, cancellationToken);
            // unshare ignores SIGINT while it waits: the interrupt must reach terraform behind it.
            await using var interrupt = sandbox.Kind == IsolationKind.Namespaces
                ? cancellationToken.Register(() => ProcessTree.Signal(running.ProcessId, signal: 2))
                : default;
            var result = await running;
            return result.ExitCode;
        }
        catch (Win32Exception e)
        {
            throw new TfMfaException($"could not start terraform ('{binary}'): {e.Message}. Install terraform and put it on PATH (https://developer.hashicorp.com/terraform/install)", e);
        }
        finally
        {
            if (sandbox.KillsLeftovers) StopLeftovers(invocation);
        }
    }

    private void StopLeftovers(TerraformInvocation invocation)
    {
        var leftovers = ProcessTree.KillDescendants(LeftoverPatience);
        var run = $"terraform {string.Join(' ', invocation.Arguments.Take(1))}";
        if (leftovers.Killed.Count > 0)
            warn($"{run} left {leftovers.Killed.Count} process{(leftovers.Killed.Count == 1 ? "" : "es")} running ({string.Join(", ", leftovers.Killed)}): " +
                 "killed, so nothing the commit's code started lives on into a later run (or into the session a code unlocks).");
        if (leftovers.Survivors.Count > 0)
            throw new TfMfaException($"{run} left processes that could not be killed ({string.Join(", ", leftovers.Survivors)}), " +
                "so no code is asked for or used: they could read the session a code unlocks. Run the job again on a fresh runner, and review what the commit's terraform code starts.");
    }
}
