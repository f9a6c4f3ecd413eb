using TfMfa.Codes;
using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.AzurePipelines;

/// <summary>
/// A code carried by an Approvals check on the environment: the build timeline holds a
/// <c>Checkpoint.Approval</c> record under this stage whose id is the approval's id; the approval,
/// read with its steps, names who approved and what they wrote. Only an approval of this very run
/// counts (its <c>pipeline.owner.id</c> is the build id). Approval comments cannot be deleted, and
/// the approval happens before an agent starts, so its code may have expired: the gate then asks
/// on the pull request.
/// </summary>
public sealed class AzureApprovalCodes(AzureReposApi api, AzureContext context, Approvers approvers, IRunLog log)
{
    public async Task<SuppliedCode?> FindAsync(string environment, CancellationToken cancellationToken)
    {
        var records = await api.TimelineAsync(cancellationToken);
        var byId = records.Where(r => r.Id is not null).GroupBy(r => r.Id!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var stage = context.StageName is { Length: > 0 } stageName
            ? records.FirstOrDefault(r => r.Type == "Stage" && (string.Equals(r.Identifier, stageName, StringComparison.OrdinalIgnoreCase) || string.Equals(r.Name, stageName, StringComparison.OrdinalIgnoreCase)))
            : null;

        bool UnderThisStage(TimelineRecord record)
        {
            if (stage is null) return context.StageName is null;
            for (var parent = record.ParentId; parent is not null && byId.TryGetValue(parent, out var up); parent = up.ParentId)
                if (ReferenceEquals(up, stage)) return true;
            return false;
        }

        var checkpoints = records
            .Where(r => r.Type == "Checkpoint.Approval" && r.Id is not null && UnderThisStage(r))
            .OrderByDescending(r => r.LastModified ?? DateTimeOffset.MinValue);
        foreach (var checkpoint in checkpoints)
        {
            var approval = await api.ApprovalAsync(checkpoint.Id!, cancellationToken);
            if (!string.Equals(approval.Status, "approved", StringComparison.OrdinalIgnoreCase)) continue;
            if (approval.Pipeline?.Owner is { } owner && owner.Id != context.BuildId)
            {
                log.Info($"Ignored approval {approval.Id}: it belongs to run {owner.Id}, not this run ({context.BuildId}).");
                continue;
            }
            var step = (approval.Steps ?? [])
                .Where(s => string.Equals(s.Status, "approved", StringComparison.OrdinalIgnoreCase) && MfaCommand.Parse(s.Comment ?? "").Kind == MfaCommandKind.Code)
                .OrderByDescending(s => s.LastModifiedOn ?? DateTimeOffset.MinValue)
                .FirstOrDefault();
            if (step is null) continue;
            if (step.ActualApprover is not { Id: { Length: > 0 } id, UniqueName: { Length: > 0 } name } approver)
            {
                log.Info($"Ignored the code in an approval of '{environment}' by an unknown identity: nobody can tell who supplied it.");
                return null;
            }
            return await ApprovalCode.FromApproverAsync(approvers, new ConversationAuthor(id, name, approver.IsContainer == true), name, environment,
                MfaCommand.Parse(step.Comment!).Code!, log, " (approval comments cannot be deleted; the code lives 30 seconds)", cancellationToken);
        }
        return null;
    }
}
