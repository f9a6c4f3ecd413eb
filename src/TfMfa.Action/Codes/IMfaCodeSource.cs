using TfMfa.Gate;

namespace TfMfa.Codes;

/// <summary>
/// What a code unlocks, shown to whoever is asked for it: the command and environment, the working
/// directory, the commit, the AWS identity and for how long, the terraform version, the device.
/// </summary>
/// <param name="Role">The role the session assumes, or null for the CI user's own MFA session.</param>
/// <param name="Device">Which MFA device the code must come from, in words.</param>
/// <param name="PlanCanDoMore">The code runs a plan, but no read-only plan-role-to-assume narrows its session: it could do everything <paramref name="Role"/> (or the CI user) may.</param>
public sealed record WhatRuns(
    string WorkingDirectory,
    string? CommitSha,
    string? CommitUrl,
    string? Role,
    TimeSpan SessionDuration,
    string TerraformVersion,
    string Device,
    Terraform.PlanSummary? Plan = null,
    CodeStage Stage = CodeStage.Only,
    bool PlanCanDoMore = false)
{
    public string ShortSha => CommitSha is { Length: > 7 } sha ? sha[..7] : CommitSha ?? "unknown";

    /// <summary>Markdown: the role as a code span (fit for a table cell too).</summary>
    public string Identity => Role is { } role ? $"the role {RunLog.MarkdownText.CodeInCell(role)}" : "the CI user's own MFA session";

    /// <summary>One line for the run log.</summary>
    public string Describe(TerraformCommand command, string environment) =>
        $"terraform {command.Name()} in '{environment}' from {WorkingDirectory} at commit {ShortSha}, as {Identity.Replace("`", "", StringComparison.Ordinal)} " +
        $"for {Config.Duration.Format(SessionDuration)}, terraform {TerraformVersion}; the code comes from {Device.Replace("`", "", StringComparison.Ordinal)}" +
        Stage switch
        {
            CodeStage.PlanOfApply => " (the first of two codes for this apply: the plan runs, and a second code applies exactly the plan shown)",
            CodeStage.ApplyOfPlan => " (the second of two codes for this apply: it applies exactly the plan the first one made)",
            _ => "",
        };
}

/// <summary>
/// Which code of its run a request is for. A run needs one code, except an <c>apply</c> under
/// plans-and-applies, which needs two, as Terraform Enterprise asked: the first unlocks the plan,
/// the second, given once the plan is shown, applies exactly that plan.
/// </summary>
public enum CodeStage { Only, PlanOfApply, ApplyOfPlan }

/// <summary>What the gate is waiting for, so a source can tell a person what to answer.</summary>
/// <param name="SerialNumber">The device the request names (the shared one, or a description when each person has their own).</param>
public sealed record CodeRequest(
    TerraformCommand Command,
    string Environment,
    string SerialNumber,
    int Attempt,
    int MaxAttempts,
    DateTimeOffset Deadline,
    WhatRuns? Unlocks = null);

/// <summary>A code and the person who supplied it (a GitHub login, an Azure DevOps uniqueName, or the local user).</summary>
/// <param name="Device">The device STS checked it against, once known.</param>
public sealed record SuppliedCode(MfaCode Code, string SuppliedBy, string? Device = null);

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

    /// <summary>
    /// Why the request the accepted code answered no longer says what TfMfa last wrote (someone edited
    /// or deleted it), or null: asked just before terraform runs with the session. A source without a
    /// request (the terminal, an approval) has nothing to rewrite.
    /// </summary>
    Task<string?> RequestRewrittenAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>The wait ended without success (timeout, refused, cancelled): the source tells the people it asked.</summary>
    Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken);
}

public enum CodeWaitEnd { TimedOut, Failed, Cancelled }

/// <summary>A person stopped the wait (<c>/mfa cancel</c>).</summary>
public sealed class CodeWaitCancelledException(string message) : TfMfaException(message);

/// <summary>No code arrived before the deadline.</summary>
public sealed class CodeWaitTimedOutException(string message) : TfMfaException(message);
