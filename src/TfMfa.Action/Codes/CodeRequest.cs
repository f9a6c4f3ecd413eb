namespace TfMfa.Codes;

/// <summary>
/// A request for one code: what the gate asks for, so a channel can tell a person what to answer.
/// A run opens one per code it needs (two for an apply under plans-and-applies).
/// </summary>
/// <param name="SerialNumber">The device the request names (the shared one, or a description when each person has their own).</param>
/// <param name="Deadline">When the gate stops waiting (wait.timeout).</param>
public sealed record CodeRequest(
    TerraformCommand Command,
    string Environment,
    string SerialNumber,
    DateTimeOffset Deadline,
    WhatRuns? Unlocks = null);

/// <summary>Which try at a code this is, out of how many, and why the one before failed.</summary>
/// <param name="LastRejection">STS's answer to the previous code, or null on the first try.</param>
public sealed record Attempt(int Number, int MaxAttempts, Rejection? LastRejection = null)
{
    public static Attempt First(int maxAttempts) => new(1, maxAttempts);

    /// <summary>The tries left, this one included.</summary>
    public int Left => MaxAttempts - Number + 1;

    public Attempt After(Rejection rejection) => new(Number + 1, MaxAttempts, rejection);
}

/// <summary>STS refused a code; <paramref name="Reason"/> is plain words, never the code.</summary>
public sealed record Rejection(SuppliedCode Code, string Reason);

/// <summary>A code and the person who supplied it (a GitHub login, an Azure DevOps uniqueName, or the local user).</summary>
/// <param name="Device">The device STS checked it against, once known.</param>
/// <param name="FromApproval">It came in an environment approval, given before the job ran, not in answer to a request.</param>
public sealed record SuppliedCode(MfaCode Code, string SuppliedBy, string? Device = null, bool FromApproval = false);

/// <summary>How a request ended, for the people it asked.</summary>
public abstract record Outcome
{
    /// <summary>STS accepted <paramref name="Code"/>; the session lasts until <paramref name="Expiration"/>.</summary>
    public sealed record Authenticated(SuppliedCode Code, DateTimeOffset? Expiration) : Outcome;

    /// <summary>The wait ended without a session (time-out, refused codes, cancelled); <paramref name="Message"/> says why.</summary>
    public sealed record Ended(CodeWaitEnd End, string Message) : Outcome;
}

public enum CodeWaitEnd { TimedOut, Failed, Cancelled }

/// <summary>A person stopped the wait (<c>/mfa cancel</c>).</summary>
public sealed class CodeWaitCancelledException(string message) : TfMfaException(message);

/// <summary>No code arrived before the deadline.</summary>
public sealed class CodeWaitTimedOutException(string message) : TfMfaException(message);
