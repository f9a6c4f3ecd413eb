using TfMfa.Codes;

namespace TfMfa.Conversation;

/// <summary>
/// Codes in the contracts' order, on any front end: the approval's comment first (a GitHub
/// environment approval, an Azure Pipelines Approvals check); if there is none, or STS refuses it
/// (it may have expired while the job was queued), the <c>/mfa</c> comment command. The approval is
/// the job's, so its code is tried once a run (AWS accepts a code once): a second code comes from the conversation.
/// </summary>
/// <param name="approval">The code in this run's approval of the environment, if any; a <see cref="ConversationException"/> when the approvals cannot be read.</param>
/// <param name="warn">Says in the log why an approval's code was not used.</param>
public sealed class ApprovalThenComments(
    Func<string, CancellationToken, Task<SuppliedCode?>> approval,
    ConversationChannel comments,
    Action<string> warn) : ICodeChannel
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

    private ConversationChannel Comments => comments;

    public string? Trouble => comments.Trouble;

    public Task<ICodeRequest> OpenAsync(CodeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ICodeRequest>(new Request(this, request));

    /// <summary>The approval's code once, else the conversation's request, opened only when needed.</summary>
    private async Task<SuppliedCode?> ApprovalCodeAsync(CodeRequest request, CancellationToken cancellationToken)
    {
        if (_approvalTried) return null;
        _approvalTried = true;
        SuppliedCode? approved;
        try
        {
            approved = await approval(request.Environment, cancellationToken);
        }
        catch (ConversationException e)
        {
            warn($"Could not read this run's approvals of environment '{request.Environment}' ({e.Message}); asking on the pull request instead.");
            return null;
        }
        if (approved is null) return null;
        if (WhyAnApprovalCannotServe(request) is { } why)
        {
            warn($"The code in {comments.Mention(approved.SuppliedBy)}'s approval of environment '{request.Environment}' is not used: {why}");
            return null;
        }
        return approved with { FromApproval = true };
    }

    private sealed class Request(ApprovalThenComments channel, CodeRequest request) : ICodeRequest
    {
        private ICodeRequest? _comments;
        private bool _lastFromApproval;

        public async Task<SuppliedCode> NextCodeAsync(Attempt attempt, CancellationToken cancellationToken)
        {
            if (await channel.ApprovalCodeAsync(request, cancellationToken) is { } approved)
            {
                _lastFromApproval = true;
                return approved;
            }
            _lastFromApproval = false;
            _comments ??= await channel.Comments.OpenAsync(request, cancellationToken);
            return await _comments.NextCodeAsync(attempt, cancellationToken);
        }

        public Task CloseAsync(Outcome outcome, CancellationToken cancellationToken) =>
            _comments?.CloseAsync(outcome, cancellationToken) ?? Task.CompletedTask;

        /// <summary>Always null for an approval's code: no request was involved.</summary>
        public Task<string?> RewrittenAsync(CancellationToken cancellationToken) =>
            _lastFromApproval || _comments is null ? Task.FromResult<string?>(null) : _comments.RewrittenAsync(cancellationToken);

        public ValueTask DisposeAsync() => _comments?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
