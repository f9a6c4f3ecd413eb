using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.RunLog;
using TfMfa.Terraform;
using TfMfa.Trigger;

namespace TfMfa.Gate.Flows;

/// <summary>
/// comment-trigger, the run that asks: everything poll mode does up to the request (the level, the
/// checks, under applies-only the plan it will apply, shown), then a durable request, the commit
/// status pending, and the run ends at once. The <c>/mfa</c> reply starts <see cref="AnswerFromComment"/>.
/// </summary>
public static class RequestAndEnd
{
    public static async Task<int> RunAsync(GateRun run, ICommentTrigger trigger, CancellationToken cancellationToken)
    {
        var (inputs, policy, log) = (run.Inputs, run.Policy, run.Log);
        if (inputs.Command == TerraformCommand.Apply && inputs.PlanFile is not null)
            throw new TfMfaException("input 'plan-file': under wait.mode comment-trigger an apply plans for itself and shows that plan in its request, so it takes no plan-file. " +
                "Remove the input, or apply saved plans with wait.mode: poll.");

        var (codePolicy, codeCommand, stage) = inputs.Command == TerraformCommand.Apply && policy.Level.RequiresMfa(TerraformCommand.Plan)
            ? (policy.For(TerraformCommand.Plan), TerraformCommand.Plan, CodeStage.PlanOfApply)
            : (policy, inputs.Command, CodeStage.Only);
        PlanSummary? plan = null;
        if (inputs.Command == TerraformCommand.Apply && stage == CodeStage.Only)
        {
            var (exitCode, shown) = await PlanWithoutCodeAsync(run, cancellationToken);
            if (shown is null) return exitCode;
            if (shown.IsEmpty)
            {
                log.Notice("The plan has no changes: nothing to apply, so no code is asked for.");
                log.AppendSummary(StepSummary.NothingToApply(policy.Environment, shown.Sha256, askedForACode: false));
                // A required check on the apply turns green: there is nothing for a code to unlock.
                if ((run.CheckedOut ?? run.Services.FrontEnd.Context.CommitSha) is { } commit)
                    await trigger.SetStatusAsync(commit, TriggerTexts.StatusContext(policy.Environment, inputs.Command), TriggerState.Success,
                        "Nothing to apply: the plan has no changes", null, cancellationToken);
                return 0;
            }
            plan = shown;
        }

        var unlocking = await new Authentication(run).PrepareAsync(codePolicy, codeCommand, cancellationToken, plan, stage);
        await PostAsync(run, trigger, codePolicy, codeCommand, unlocking, plan, stage, cancellationToken);
        return 0;
    }

    /// <summary>Posts a request that outlives this run, marks the commit pending, and says so: the run then ends.</summary>
    public static async Task PostAsync(GateRun run, ICommentTrigger trigger, GatePolicy codePolicy, TerraformCommand codeCommand, Unlocking unlocking,
        PlanSummary? plan, CodeStage stage, CancellationToken cancellationToken)
    {
        var (inputs, log) = (run.Inputs, run.Log);
        var sha = unlocking.Unlocks.CommitSha ?? throw new TfMfaException(
            "wait.mode comment-trigger needs the commit the request is for, and the working directory is no git checkout TfMfa can read: check out the repository with actions/checkout.");
        await CloseSupersededAsync(run, trigger, codeCommand, sha, cancellationToken);
        var id = RequestIds.New([]);
        var deadline = run.Services.Clock.GetUtcNow() + run.Policy.Wait.RequestLifetime;
        var facts = new TriggerFacts(sha, unlocking.Unlocks.WorkingDirectory, stage, plan?.ChangesSha256);
        var details = TriggerTexts.Details(trigger, codePolicy, codeCommand, unlocking.SharedSerial ?? "your own MFA device", trigger.Run.Id, trigger.Run.Attempt, deadline, unlocking.Unlocks, id, facts);
        var request = await trigger.Conversation.PostRequestAsync(RequestCommentText.Waiting(details, null, run.Policy.Wait.MaxAttempts), cancellationToken);
        var context = TriggerTexts.StatusContext(run.Policy.Environment, inputs.Command);
        await trigger.SetStatusAsync(sha, context, TriggerState.Pending, $"Waiting for an MFA code: reply /mfa {id} 123456", trigger.Link(request), cancellationToken);
        run.Outputs.Waiting = true;
        log.Notice($"🔒 Asked for an MFA code on {trigger.Conversation.Where} (request `{id}`) and set the commit status {context} to pending. Nothing waits: " +
                   $"a '/mfa {id} 123456' reply starts the run that answers, until {deadline.UtcDateTime:yyyy-MM-dd HH:mm} UTC or the next push.");
        log.AppendSummary($"### 🔒 MFA code requested: `terraform {codeCommand.Name()}` in {MarkdownText.Code(run.Policy.Environment)}\n\n" +
                          $"Request `{id}` on {MarkdownText.Text(trigger.Conversation.Where)} waits for a `/mfa {id} 123456` reply; no job runs meanwhile. Commit status `{context}` is pending.\n");
    }

    /// <summary>
    /// A request never outlives the next one of its workflow: earlier requests with the same command,
    /// environment and directory (for another commit, or the same one asked again) are marked
    /// expired, so a bare reply is not refused for their sake and nobody answers a commit the pull
    /// request no longer shows.
    /// </summary>
    private static async Task CloseSupersededAsync(GateRun run, ICommentTrigger trigger, TerraformCommand codeCommand, string sha, CancellationToken cancellationToken)
    {
        foreach (var request in await trigger.RequestsAsync(cancellationToken))
        {
            if (!RequestCommentText.IsWaiting(request.Body) || Conversation.RequestMarker.Parse(request.Body) is not { } marker || TriggerFacts.Parse(request.Body) is not { } facts) continue;
            if (facts.Directory != run.WorkspaceRelative || marker.Environment != RequestCommentText.MarkerValue(run.Policy.Environment)
                || marker.Command != codeCommand.Name()) continue;
            var why = facts.CommitSha == sha
                ? "a newer request asks for the same commit"
                : $"the pull request moved on to {sha[..Math.Min(7, sha.Length)]}, and a newer request asks for that commit";
            try
            {
                await trigger.Conversation.EditRequestAsync(request, Conversation.OpenRequests.ExpiredText(request.Body, why), cancellationToken);
                run.Log.Info($"Request `{marker.Id}` for {facts.CommitSha[..Math.Min(7, facts.CommitSha.Length)]} no longer waits: {why}.");
            }
            catch (Conversation.ConversationException e)
            {
                run.Log.Warning($"Could not mark request `{marker.Id}` expired ({e.Message}); its code would be refused anyway, as its commit is no longer the pull request's head.");
            }
        }
    }

    /// <summary>The plan an apply shows, made without a code (applies-only), as poll mode makes it.</summary>
    private static async Task<(int ExitCode, PlanSummary? Plan)> PlanWithoutCodeAsync(GateRun run, CancellationToken cancellationToken)
    {
        var policy = run.Policy;
        var planPolicy = policy.PlanRoleToAssume is null ? policy with { RoleToAssume = null } : policy.For(TerraformCommand.Plan);
        run.Log.Info($"applies-only: terraform plans first without a code ({(planPolicy.RoleToAssume is { } role ? $"as {role}" : "with the keys as given")}, no state lock); the request shows that plan.");
        var credentials = await run.WithoutMfaAsync(planPolicy, cancellationToken);
        var written = run.Services.Terraform.NewPlanPath();
        string? sealedPlan = null;
        try
        {
            var exitCode = await run.Terraform.RunAsync(credentials, TerraformCommandLine.PlanToShow(run.Inputs.Init, written, run.Inputs.TerraformArgs), cancellationToken);
            if (exitCode != 0) return (exitCode, null);
            sealedPlan = run.Services.Terraform.Seal(written);
            var plan = await run.Terraform.ShowAsync(sealedPlan, credentials, cancellationToken);
            run.Outputs.PlanSha256 = plan.Sha256;
            run.Log.Info($"{plan.CountsLine} Plan file SHA-256 {plan.Sha256}; changes SHA-256 {plan.ChangesSha256}.");
            return (0, plan);
        }
        finally
        {
            PlanFiles.Delete(written);
            PlanFiles.Delete(sealedPlan);
        }
    }
}
