namespace TfMfa.Terraform;

/// <param name="EnvironmentChanges">Changes to the action's environment; null removes a variable.</param>
/// <param name="Executable">The binary to run (a fetched terraform or tofu); null runs the process's default, the image's own terraform.</param>
public sealed record TerraformInvocation(IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string?> EnvironmentChanges, string? Executable = null);

/// <summary>Runs the terraform binary. Output is handed over line by line as it is written, never buffered whole.</summary>
public interface ITerraformProcess
{
    /// <summary>Runs to completion and returns terraform's exit code. Cancelling interrupts terraform first and kills it only after a grace period.</summary>
    Task<int> RunAsync(TerraformInvocation invocation, Action<string> standardOutput, Action<string> standardError, CancellationToken cancellationToken);
}
