using TfMfa.Codes;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>The code found in an environment approval, held to the rules a comment's code is held to.</summary>
public static class ApprovalCode
{
    /// <param name="shownAs">The approver as the log names them ("@alice"; an Azure DevOps uniqueName).</param>
    /// <param name="note">What the log adds when the code is used (where it stays visible), or empty.</param>
    /// <returns>The code, or null when its approver may not supply codes.</returns>
    public static async Task<SuppliedCode?> FromApproverAsync(Approvers approvers, ConversationAuthor approver, string shownAs, string environment, MfaCode code,
        IRunLog log, string note, CancellationToken cancellationToken)
    {
        var check = await approvers.CheckAsync(approver, cancellationToken);
        if (!check.Allowed)
        {
            log.Info($"Ignored the code in {shownAs}'s approval of '{environment}': {check.Reason}.");
            return null;
        }
        log.Info($"Using the code in {shownAs}'s approval of environment '{environment}'{note}.");
        return new SuppliedCode(code, approver.Name);
    }
}
