namespace TfMfa.Terraform;

/// <param name="EnvironmentChanges">Changes to the action's environment; null removes a variable.</param>
/// <param name="Executable">The binary to run (a fetched terraform or tofu); null runs the process's default, the image's own terraform.</param>
public sealed record TerraformInvocation(IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string?> EnvironmentChanges, string? Executable = null);

/// <summary>Runs the terraform binary. Output is handed over as a stream while it is written, never buffered whole.</summary>
public interface ITerraformProcess
{
    /// <summary>
    /// Readies the walls around terraform (<see cref="TerraformSandbox"/>) for runs in
    /// <paramref name="workingDirectory"/>, before terraform first runs; returns what the log should say about them.
    /// </summary>
    (string Description, IReadOnlyList<string> Limits) Prepare(string workingDirectory);

    /// <summary>
    /// Runs to completion and returns terraform's exit code. Cancelling interrupts terraform first and kills it only after a grace period.
    /// Nothing terraform started outlives the run; a process that cannot be stopped fails the run (<see cref="TfMfaException"/>).
    /// </summary>
    Task<int> RunAsync(TerraformInvocation invocation, OutputReader standardOutput, OutputReader standardError, CancellationToken cancellationToken);

    /// <summary>A fresh path a plan may write its saved plan to (<c>-out</c>).</summary>
    string NewPlanPath();

    /// <summary>A copy of a saved plan that terraform can read and nothing it starts can change; the copy's path.</summary>
    string Seal(string planFile);
}
