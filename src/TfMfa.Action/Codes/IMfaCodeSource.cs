using TfMfa.Gate;

namespace TfMfa.Codes;

/// <summary>What the gate is waiting for, so a source can tell a person what to answer.</summary>
public sealed record CodeRequest(
    TerraformCommand Command,
    string Environment,
    string SerialNumber,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset Deadline);

/// <summary>A code and the person who supplied it (a GitHub login, or the local user).</summary>
public sealed record SuppliedCode(MfaCode Code, string SuppliedBy);

/// <summary>
/// Where one-time codes come from: the terminal, a pull-request comment, an environment approval.
/// Like aws-vault's prompt functions, every source plugs into the gate the same way.
/// </summary>
public interface IMfaCodeSource
{
    /// <summary>Waits for the next code. Throws <see cref="TfMfaException"/> when none can come (closed input, cancelled).</summary>
    Task<SuppliedCode> NextCodeAsync(CodeRequest request, CancellationToken cancellationToken);

    /// <summary>STS refused the code; <paramref name="reason"/> is plain words, never the code.</summary>
    Task CodeRejectedAsync(SuppliedCode code, string reason, int attemptsLeft, CancellationToken cancellationToken);

    /// <summary>STS accepted the code.</summary>
    Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken);
}
