using TfMfa.Codes;
using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.GitHub;

/// <summary>
/// A code carried by an environment approval: the newest <c>approved</c> review of this run for
/// this environment whose comment's first line is <c>/mfa 123456</c>. Approval comments cannot be
/// deleted, so such a code is only as private as the run's review history, and lives 30 seconds.
/// </summary>
public sealed class EnvironmentApprovalCodes(OctokitGitHubApi github, Approvers approvers, long runId, IRunLog log)
{
    public async Task<SuppliedCode?> FindAsync(string environment, CancellationToken cancellationToken)
    {
        var approvals = await github.GetApprovalsAsync(runId, cancellationToken);
        // The review history lists the oldest first.
        var approval = approvals.LastOrDefault(a => a.State.Equals("approved", StringComparison.OrdinalIgnoreCase)
            && a.Environments.Contains(environment, StringComparer.OrdinalIgnoreCase)
            && MfaCommand.Parse(a.Comment).Kind == MfaCommandKind.Code);
        if (approval is null) return null;
        if (approval.Login is not { Length: > 0 } login)
        {
            log.Info($"Ignored the code in an approval of '{environment}' by a deleted account: nobody can tell who supplied it.");
            return null;
        }

        return await ApprovalCode.FromApproverAsync(approvers, new ConversationAuthor(login, login, approval.IsBot), "@" + login, environment,
            MfaCommand.Parse(approval.Comment).Code!, log, "", cancellationToken);
    }
}
