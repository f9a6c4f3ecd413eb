using TfMfa.Codes;

namespace TfMfa.Conversation;

/// <summary>
/// Codes in the contracts' order, on any front end: the approval's comment first (a GitHub
/// environment approval, an Azure Pipelines Approvals check); if there is none, or STS refuses it
/// (it may have expired while the job was queued), the <c>/mfa</c> comment command.
/// </summary>
/// <param name="approval">The code in this run's approval of the environment, if any.</param>
/// <param name="foreignCode">Why the run may execute code from outside the repository (a fork), or null when it is the repository's own.</param>
/// <param name="configPath">Where the default branch's config lives, for the fork message.</param>
/// <param name="warn">Says in the log why an approval's code was not used.</param>
public sealed class ApprovalThenCommentCodes(
    Func<string, CancellationToken, Task<SuppliedCode?>> approval,
    ConversationCodeSource comments,
    Func<CancellationToken, Task<string?>> foreignCode,
    bool allowForkPrs,
    string configPath,
    Func<string, string> mention,
    Action<string>? warn = null) : IMfaCodeSource
{
    /// <summary>
    /// An approval is given before its job runs, so its code may unlock only what could be known
    /// then: the commit's plan. A code that applies a plan comes from a request that showed that plan,
    /// posted before the code was written; nothing shows the approver a plan this job makes (or a
    /// saved plan's SHA-256) before they approve. Null when the approval's code may serve.
    /// </summary>
    public static string? WhyAnApprovalCannotServe(CodeRequest request) =>
        request.Unlocks?.Plan is not null
            ? "approvals come before the job, so whoever approved never saw the plan this code would apply. The request on the pull request shows that plan; a code given there applies it."
            : null;

    private bool _approvalTried;
    private bool _lastFromApproval;
    private string? _lastFailure;
    private int _attemptsLeft;

    public async Task<SuppliedCode> NextCodeAsync(CodeRequest request, CancellationToken cancellationToken)
    {
        if (!allowForkPrs && await foreignCode(cancellationToken) is { } fork)
            throw new TfMfaException(
                $"{fork}: this job would run the fork's code with MFA credentials, so TfMfa does not ask for a code. " +
                $"Run the plan from a branch of this repository, or, if you accept that risk, set allow-fork-prs: true in {configPath} on the default branch.");

        if (!_approvalTried)
        {
            _approvalTried = true;
            if (await approval(request.Environment, cancellationToken) is { } approved)
            {
                if (WhyAnApprovalCannotServe(request) is { } why)
                {
                    warn?.Invoke($"The code in {mention(approved.SuppliedBy)}'s approval of environment '{request.Environment}' is not used: {why}");
                }
                else
                {
                    _lastFromApproval = true;
                    return approved;
                }
            }
        }
        _lastFromApproval = false;
        return await comments.NextCodeAsync(request, _lastFailure, _attemptsLeft, cancellationToken);
    }

    public Task CodeRejectedAsync(SuppliedCode code, string reason, int attemptsLeft, CancellationToken cancellationToken)
    {
        _lastFailure = _lastFromApproval
            ? $"The code in {mention(code.SuppliedBy)}'s environment approval was not accepted (it may have expired while the job was queued): {reason}"
            : $"The code from {mention(code.SuppliedBy)} was not accepted: {reason}";
        _attemptsLeft = attemptsLeft;
        return Task.CompletedTask;
    }

    /// <summary>
    /// A run that needs a second code asks the conversation for it: the approval is the job's, and its
    /// code was sent to STS once already (AWS accepts a code once).
    /// </summary>
    public Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken)
    {
        _lastFailure = null;
        _attemptsLeft = 0;
        return comments.AuthenticatedAsync(code, expiration, cancellationToken);
    }

    /// <summary>
    /// Why the request the last code answered no longer says exactly what TfMfa wrote, or null (always
    /// null for an approval's code: no request was involved). The gate calls this just before terraform
    /// runs with the session, so an edit after the code was taken still stops the run.
    /// </summary>
    public Task<string?> RequestRewrittenAsync(CancellationToken cancellationToken) =>
        _lastFromApproval ? Task.FromResult<string?>(null) : comments.RequestRewrittenAsync(cancellationToken);

    public string? Trouble => comments.Trouble;

    public Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken) =>
        comments.WaitEndedAsync(end, message, cancellationToken);
}
