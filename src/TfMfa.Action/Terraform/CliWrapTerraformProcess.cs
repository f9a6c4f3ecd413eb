using System.ComponentModel;
using CliWrap;
using TfMfa.Gate;
using TfMfa.Hosting;

namespace TfMfa.Terraform;

/// <summary>
/// terraform through CliWrap, with graceful cancellation: SIGINT so terraform can release its state
/// lock, then a kill after <paramref name="gracePeriod"/>. The child inherits <paramref name="inherited"/>
/// (the process's own environment) minus <see cref="ChildEnvironment.Denied"/>, whatever the invocation asks.
/// </summary>
public sealed class CliWrapTerraformProcess(string executable, TimeSpan gracePeriod, IEnvironment inherited) : ITerraformProcess
{
    /// <summary>Ten seconds: terraform needs a moment to write state and release an S3 lock; GitHub's runner escalates soon after.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromSeconds(10);

    public async Task<int> RunAsync(TerraformInvocation invocation, Action<string> standardOutput, Action<string> standardError, CancellationToken cancellationToken)
    {
        using var forceful = new CancellationTokenSource();
        await using var escalate = cancellationToken.Register(() => forceful.CancelAfter(gracePeriod));

        var binary = invocation.Executable ?? executable;
        var command = Cli.Wrap(binary)
            .WithArguments(invocation.Arguments)
            .WithWorkingDirectory(invocation.WorkingDirectory)
            .WithEnvironmentVariables(ChildEnvironment.Merge(inherited.All().Keys, invocation.EnvironmentChanges))
            .WithStandardOutputPipe(PipeTarget.ToDelegate(standardOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(standardError))
            .WithValidation(CommandResultValidation.None);
        try
        {
            var result = await command.ExecuteAsync(forceful.Token, cancellationToken);
            return result.ExitCode;
        }
        catch (Win32Exception e)
        {
            throw new TfMfaException($"could not start terraform ('{binary}'): {e.Message}. Install terraform and put it on PATH (https://developer.hashicorp.com/terraform/install)", e);
        }
    }
}
