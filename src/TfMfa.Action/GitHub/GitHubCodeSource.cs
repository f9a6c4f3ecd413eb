using TfMfa.Codes;
using TfMfa.Conversation;

namespace TfMfa.GitHub;

/// <summary>
/// Codes on GitHub, in the contract's order: the environment approval's comment first; if there is
/// none, or STS refuses it (it may have expired while the job was queued), the <c>/mfa</c> comment command.
/// </summary>
/// <param name="foreignCode">Why the run may execute code from outside the repository (a fork), or null when it is the repository's own.</param>
public sealed class GitHubCodeSource(EnvironmentApprovalCodes approvals, ConversationCodeSource comments, Func<CancellationToken, Task<string?>> foreignCode, bool allowForkPrs) : IMfaCodeSource
{
    private bool _approvalTried;
    private bool _lastFromApproval;
    private string? _lastFailure;
    private int _attemptsLeft;

    public async Task<SuppliedCode> NextCodeAsync(CodeRequest request, CancellationToken cancellationToken)
    {
        if (!allowForkPrs && await foreignCode(cancellationToken) is { } fork)
            throw new Gate.TfMfaException(
                $"{fork}: this job would run the fork's code with MFA credentials, so TfMfa does not ask for a code. " +
                "Run the plan from a branch of this repository, or, if you accept that risk, set allow-fork-prs: true in .github/tfmfa.yml on the default branch.");

        if (!_approvalTried)
        {
            _approvalTried = true;
            if (await approvals.FindAsync(request.Environment, cancellationToken) is { } approved)
            {
                _lastFromApproval = true;
                return approved;
            }
        }
        _lastFromApproval = false;
        return await comments.NextCodeAsync(request, _lastFailure, _attemptsLeft, cancellationToken);
    }

    public Task CodeRejectedAsync(SuppliedCode code, string reason, int attemptsLeft, CancellationToken cancellationToken)
    {
        _lastFailure = _lastFromApproval
            ? $"The code in @{code.SuppliedBy}'s environment approval was not accepted (it may have expired while the job was queued): {reason}"
            : $"The code from @{code.SuppliedBy} was not accepted: {reason}";
        _attemptsLeft = attemptsLeft;
        return Task.CompletedTask;
    }

    public Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken) =>
        comments.AuthenticatedAsync(code, expiration, cancellationToken);

    public string? Trouble => comments.Trouble;

    public Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken) =>
        comments.WaitEndedAsync(end, message, cancellationToken);
}
