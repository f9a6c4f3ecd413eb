namespace TfMfa.Terraform;

/// <param name="EnvironmentChanges">Changes to the action's environment; null removes a variable.</param>
public sealed record TerraformInvocation(IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string?> EnvironmentChanges);

/// <summary>Runs the terraform binary. Output is handed over line by line as it is written, never buffered whole.</summary>
public interface ITerraformProcess
{
    /// <summary>Runs to completion and returns terraform's exit code. Cancelling interrupts terraform first and kills it only after a grace period.</summary>
    Task<int> RunAsync(TerraformInvocation invocation, Action<string> standardOutput, Action<string> standardError, CancellationToken cancellationToken);
}
