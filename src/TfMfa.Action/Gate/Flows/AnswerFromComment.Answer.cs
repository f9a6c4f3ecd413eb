using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.RunLog;
using TfMfa.Terraform;
using TfMfa.Trigger;

namespace TfMfa.Gate.Flows;

public static partial class AnswerFromComment
{
    /// <summary>Does what the rules decided for a reply that is not a code to take: every such reply ends the run, most with an error.</summary>
    private static async Task<int> ActOnRefusalAsync(GateRun run, ICommentTrigger trigger, ConversationComment answer, ConversationComment request, RequestMarker marker,
        TriggerFacts facts, CommentDecision decision, CancellationToken cancellationToken)
    {
        var log = run.Log;
        var conversation = trigger.Conversation;
        var who = answer.Author is { } author ? conversation.Mention(author.Name) : "a deleted account";
        switch (decision)
        {
            case CommentDecision.Ignore ignore:
                if (ignore.Note is { } note) log.Info(note);
                return 0;
            case CommentDecision.LeaveAlone leave:
                log.Warning(leave.Warning);
                return 0;
            case CommentDecision.Refuse refuse:
                if (refuse.Remove) await conversation.ClaimAsync(answer, cancellationToken);
                throw new TfMfaException($"Ignored the /mfa comment {refuse.Why}{(refuse.Remove ? " (the comment was removed, so its code is not visible)" : "")}.");
            case CommentDecision.Answer reply:
                if (reply.Remove) await conversation.ClaimAsync(answer, cancellationToken);
                await conversation.ReplyAsync(answer, RequestCommentText.Reply(who, reply.Reply), cancellationToken);
                throw new TfMfaException(reply.Note);
            case CommentDecision.RefuseEverywhere everywhere:
                if (everywhere.ShowsCode) await conversation.ClaimAsync(answer, cancellationToken);
                await conversation.ReplyAsync(answer, RequestCommentText.Reply(who, everywhere.Reply(marker.Id)), cancellationToken);
                throw new TfMfaException($"Ignored the /mfa comment by {who}: {everywhere.Why(marker.Id)}.");
            case CommentDecision.Cancel cancel:
                var details = TriggerTexts.Details(trigger, run.Policy, RequestCommand(marker), "", marker.RunId ?? 0, marker.RunAttempt ?? 1, marker.Deadline!.Value,
                    null!, marker.Id, facts) with { Unlocks = null };
                await conversation.EditRequestAsync(request, RequestCommentText.Ended(details, CodeWaitEnd.Cancelled, cancel.Message), cancellationToken);
                await conversation.ConcludeAsync(request, cancellationToken);
                await trigger.SetStatusAsync(facts.CommitSha, TriggerTexts.StatusContext(run.Policy.Environment, run.Inputs.Command), TriggerState.Error, cancel.Message, trigger.Link(request), cancellationToken);
                throw new CodeWaitCancelledException(cancel.Message);
            default:
                throw new InvalidOperationException($"The rules asked for more than this run knows: {decision}.");
        }
    }

    private static async Task<int> AnswerAsync(GateRun run, ICommentTrigger trigger, Answering a, CancellationToken cancellationToken)
    {
        var (inputs, policy) = (run.Inputs, run.Policy);
        var conversation = trigger.Conversation;
        var context = TriggerTexts.StatusContext(policy.Environment, inputs.Command);
        var sha = a.Facts.CommitSha;

        // A push after the request: its code would unlock a commit the request never showed.
        var head = await trigger.PullRequestHeadAsync(cancellationToken);
        if (!string.Equals(head, sha, StringComparison.OrdinalIgnoreCase))
            await CloseAndRefuseAsync(run, trigger, a, null, TriggerState.Failure,
                $"The pull request moved to {Short(head)} after request `{a.Marker.Id}` asked for a code for {Short(sha)}, so the code is not used. The next plan run asks again.", cancellationToken);

        var (codePolicy, codeCommand) = a.Facts.Stage == CodeStage.PlanOfApply ? (policy.For(TerraformCommand.Plan), TerraformCommand.Plan) : (policy, RequestCommand(a.Marker));
        var authentication = new Authentication(run);
        var unlocking = await authentication.PrepareAsync(codePolicy, codeCommand, cancellationToken, null, a.Facts.Stage);
        if (!string.Equals(unlocking.Unlocks.CommitSha, sha, StringComparison.OrdinalIgnoreCase))
            throw new TfMfaException($"This run has commit {unlocking.Unlocks.CommitSha ?? "(unknown)"} checked out, but request `{a.Marker.Id}` is for {sha}: check out the pull request's head " +
                "(see action/workflows/terraform-mfa-answer.yml). The code was not used; send a new one once the workflow is fixed.");

        // Before the code goes anywhere: the request says exactly what this run would write, but for the plan, which only a new plan can write again.
        var current = await conversation.CurrentTextAsync(a.Request, cancellationToken)
            ?? throw new TfMfaException($"Request `{a.Marker.Id}` was deleted while this run read it, so its code is not used.");
        var withoutPlan = RequestCommentText.Waiting(DetailsFor(run, trigger, a, codePolicy, codeCommand, unlocking, null, a.Facts), null, 0);
        // A request that shows no plan is compared whole: nothing may be added under a plan heading.
        var shown = a.Facts.ChangesSha256 is null ? current : TriggerTexts.WithoutPlan(current);
        if (a.Facts.LastFailure is { } failed && failed.AttemptsLeft >= run.Policy.Wait.MaxAttempts)
            await CloseAndRefuseAsync(run, trigger, a, unlocking, TriggerState.Failure,
                $"Request `{a.Marker.Id}` claims {failed.AttemptsLeft} attempts left, more than wait.max-attempts ({run.Policy.Wait.MaxAttempts}) allows, so its marker was changed and its code is not used. The next plan run asks again.", cancellationToken);
        if (!TriggerTexts.Same(shown, withoutPlan))
            await CloseAndRefuseAsync(run, trigger, a, unlocking, TriggerState.Failure,
                $"Request `{a.Marker.Id}` does not say exactly what this run would do ({TriggerTexts.FirstDifference(shown, withoutPlan)}), so its code is not used: " +
                "the request was changed, or this workflow's inputs differ from the run that asked. The next plan run asks again.", cancellationToken);

        var (credentials, accepted, rejection) = await CodeWait.ExchangeAsync(run, unlocking.Sts, codePolicy, unlocking.SharedSerial, a.Code, cancellationToken);
        if (credentials is null)
            return await RefusedAsync(run, trigger, a, unlocking, codePolicy, codeCommand, current, accepted, rejection!, cancellationToken);

        return a.Facts.Stage switch
        {
            CodeStage.PlanOfApply => await PlanOfApplyAsync(run, trigger, a, authentication, unlocking, codePolicy, credentials, accepted, cancellationToken),
            _ when codeCommand == TerraformCommand.Plan => await PlanAsync(run, trigger, a, unlocking, codePolicy, credentials, accepted, context, cancellationToken),
            _ => await ApplyShownAsync(run, trigger, a, unlocking, codePolicy, current, credentials, accepted, context, cancellationToken),
        };
    }

    /// <summary>The request's text as this run would write it, from its marker and what this run computed.</summary>
    private static RequestDetails DetailsFor(GateRun run, ICommentTrigger trigger, Answering a, GatePolicy codePolicy, TerraformCommand codeCommand, Unlocking unlocking,
        PlanSummary? plan, TriggerFacts facts) =>
        TriggerTexts.Details(trigger, codePolicy, codeCommand, unlocking.SharedSerial ?? "your own MFA device", a.Marker.RunId ?? 0, a.Marker.RunAttempt ?? 1,
            a.Marker.Deadline!.Value, unlocking.Unlocks with { Plan = plan }, a.Marker.Id, facts);

    /// <summary>STS refused the code: the request shows it (🔴, in fixed words) and stays open while attempts are left; else it ends.</summary>
    private static async Task<int> RefusedAsync(GateRun run, ICommentTrigger trigger, Answering a, Unlocking unlocking, GatePolicy codePolicy, TerraformCommand codeCommand,
        string current, SuppliedCode accepted, StsException rejection, CancellationToken cancellationToken)
    {
        var left = (a.Facts.LastFailure?.AttemptsLeft ?? run.Policy.Wait.MaxAttempts) - 1;
        if (!rejection.AnotherCodeMayHelp || left <= 0)
        {
            var why = rejection.AnotherCodeMayHelp ? $"{run.Policy.Wait.MaxAttempts} codes were refused (wait.max-attempts)" : "another code would not help";
            await CloseAndRefuseAsync(run, trigger, a, unlocking, TriggerState.Failure, $"MFA failed: {why}. Last answer: {rejection.Message}", cancellationToken);
        }
        var facts = a.Facts with { LastFailure = new TriggerFailure(accepted.SuppliedBy, rejection.Kind, left) };
        var text = TriggerTexts.WithPlan(RequestCommentText.Waiting(DetailsFor(run, trigger, a, codePolicy, codeCommand, unlocking, null, facts), null, 0), TriggerTexts.PlanSection(current));
        await trigger.Conversation.EditRequestAsync(a.Request, text, cancellationToken);
        await trigger.SetStatusAsync(a.Facts.CommitSha, TriggerTexts.StatusContext(run.Policy.Environment, run.Inputs.Command), TriggerState.Pending,
            $"Code refused; {left} attempt{(left == 1 ? "" : "s")} left: reply /mfa {a.Marker.Id} 123456", trigger.Link(a.Request), cancellationToken);
        throw new TfMfaException($"The code from {accepted.SuppliedBy} was not accepted: {rejection.Message}. Request `{a.Marker.Id}` stays open with {left} attempt{(left == 1 ? "" : "s")} left: a new /mfa reply starts a new run.");
    }

    /// <summary>Ends the request with <paramref name="message"/> (its text and the commit status say so), and the run with the same error.</summary>
    private static async Task CloseAndRefuseAsync(GateRun run, ICommentTrigger trigger, Answering a, Unlocking? unlocking, TriggerState state, string message, CancellationToken cancellationToken)
    {
        var details = TriggerTexts.Details(trigger, run.Policy, RequestCommand(a.Marker), unlocking?.SharedSerial ?? "", a.Marker.RunId ?? 0, a.Marker.RunAttempt ?? 1,
            a.Marker.Deadline!.Value, null!, a.Marker.Id, a.Facts) with { Unlocks = null };
        await trigger.Conversation.EditRequestAsync(a.Request, RequestCommentText.Ended(details, CodeWaitEnd.Failed, message), cancellationToken);
        await trigger.Conversation.ConcludeAsync(a.Request, cancellationToken);
        await trigger.SetStatusAsync(a.Facts.CommitSha, TriggerTexts.StatusContext(run.Policy.Environment, run.Inputs.Command), state, message, trigger.Link(a.Request), cancellationToken);
        await trigger.Conversation.ReplyAsync(a.Reply, RequestCommentText.Reply(trigger.Conversation.Mention(a.Code.SuppliedBy),
            $"Your code was not used: {message}"), cancellationToken);
        throw new TfMfaException(message);
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}
