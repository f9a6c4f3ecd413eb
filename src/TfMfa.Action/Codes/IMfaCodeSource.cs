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

    /// <summary>What keeps failing while the source waits (GitHub's last answer), or null: the timeout's error names it.</summary>
    string? Trouble { get; }

    /// <summary>The wait ended without success (timeout, refused, cancelled): the source tells the people it asked.</summary>
    Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken);
}

public enum CodeWaitEnd { TimedOut, Failed, Cancelled }

/// <summary>A person stopped the wait (<c>/mfa cancel</c>).</summary>
public sealed class CodeWaitCancelledException(string message) : TfMfaException(message);

/// <summary>No code arrived before the deadline.</summary>
public sealed class CodeWaitTimedOutException(string message) : TfMfaException(message);
