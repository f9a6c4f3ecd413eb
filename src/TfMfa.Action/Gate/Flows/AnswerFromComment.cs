using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.RunLog;
using TfMfa.Trigger;

namespace TfMfa.Gate.Flows;

/// <summary>
/// comment-trigger, the run a <c>/mfa</c> reply started: it finds the request the reply answers,
/// holds the reply to every rule poll mode holds a comment to (<see cref="CommentRules"/>), claims
/// it by delete, takes the request for itself, checks the request still says exactly what this run
/// would do (commit, command, environment, directory, the whole text; for an apply, the plan), sends
/// the code to STS once, and runs exactly what the request showed.
/// </summary>
public static partial class AnswerFromComment
{
    public static async Task<int> RunAsync(GateRun run, ICommentTrigger trigger, ConversationComment answer, CancellationToken cancellationToken)
    {
        var (inputs, log) = (run.Inputs, run.Log);
        var command = MfaCommand.Parse(answer.Body);
        if (command.Kind == MfaCommandKind.None)
            return await RefuseAsync(trigger, answer, command, log,
                "its first line starts with /mfa but is no command TfMfa reads: write `/mfa <id> 123456` (the id the request shows) on a line of its own", cancellationToken);

        var now = run.Services.Clock.GetUtcNow();
        var comments = await trigger.RequestsAsync(cancellationToken);
        // What the reply's writer read is what counts: a request edited after the reply was written (another id put in,
        // a request made to stop waiting so a bare reply falls on another one) may show them something other than what runs.
        // GitHub's timestamps have whole seconds: an edit in the reply's own second counts as after it (fail closed).
        if (comments.FirstOrDefault(c => c.UpdatedAt is { } edited && edited > c.CreatedAt && edited >= answer.CreatedAt) is { } changed)
            return await RefuseAsync(trigger, answer, command, log,
                $"a TfMfa request on {trigger.Conversation.Where} (comment {changed.Id}) was edited after this reply was written, so what the reply answered cannot be told. Send a new code", cancellationToken);
        var all = comments
            .Select(c => (Comment: c, Marker: RequestMarker.Parse(c.Body), Facts: TriggerFacts.Parse(c.Body)))
            .Where(r => r.Marker is not null && r.Facts is not null)
            .ToList();
        // A request whose trigger marker no longer parses was tampered with: its id is named in an error, never answered.
        if (command.RequestId is { } addressed && comments
                .Any(c => RequestMarker.Parse(c.Body)?.Id == addressed && c.Body.Contains(TriggerFacts.MarkerPrefix, StringComparison.Ordinal) && TriggerFacts.Parse(c.Body) is null && RequestCommentText.IsWaiting(c.Body)))
            return await RefuseAsync(trigger, answer, command, log,
                $"request `{addressed}`'s marker was changed (its commit, directory, stage or changes no longer read as TfMfa writes them), so it takes no code. The next plan run asks again", cancellationToken);
        // The deadline is the marker's, but never later than the request's own age allows (wait.expires from when it was posted).
        var open = all.Where(r => RequestCommentText.IsWaiting(r.Comment.Body) && r.Marker!.Deadline is { } deadline && deadline > now
                                  && deadline <= r.Comment.CreatedAt + run.Policy.Wait.RequestLifetime + TimeSpan.FromMinutes(1)).ToList();
        var named = command.RequestId is { } id ? open.Where(r => r.Marker!.Id == id).ToList() : open;
        if (named.Count == 0)
            return await RefuseAsync(trigger, answer, command, log, command.RequestId is { } missing
                ? all.Any(r => r.Marker!.Id == missing)
                    ? $"request `{missing}` no longer waits for a code (answered, closed or expired)"
                    : $"no TfMfa request on {trigger.Conversation.Where} has the id `{missing}`"
                : $"no TfMfa request waits for a code on {trigger.Conversation.Where}", cancellationToken);
        if (command.RequestId is { } twin && named.Count > 1)
            return await RefuseAsync(trigger, answer, command, log,
                $"{named.Count} open requests on {trigger.Conversation.Where} have the id `{twin}` (one may be a look-alike), so the code is taken by none. The next plan run asks again with a new id", cancellationToken);

        // A bare reply while several requests are open names none of them: the rules below say so.
        var (request, marker, facts) = named.Count == 1 ? named[0] : open[0];
        if (!IsForThisWorkflow(run, marker!, facts!))
        {
            log.Info($"Request `{marker!.Id}` is for {Describe(facts!, RequestCommand(marker))}; this run answers `terraform {inputs.Command.Name()}` in '{run.Policy.Environment}' " +
                     $"from {run.WorkspaceRelative}, so it leaves the reply to the workflow that answers that request.");
            return 0;
        }

        var view = new RequestView(marker!.Id, request.Sequence, request.CreatedAt, RequestCommand(marker), run.Policy.Environment, trigger.Conversation.Where, trigger.Conversation.Mention);
        var writer = answer.Author is { } author ? await trigger.Approvers.CheckAsync(author, cancellationToken) : null;
        var others = open.Where(r => r.Comment.Id != request.Id).Select(r => r.Marker!.Id).ToList();
        var decision = CommentRules.Decide(answer, view, new CommentFacts(writer, others));
        if (decision is not CommentDecision.Take take)
            return await ActOnRefusalAsync(run, trigger, answer, request, marker, facts!, decision, cancellationToken);

        var claim = await trigger.Conversation.ClaimAsync(answer, cancellationToken);
        if (!claim.Won)
        {
            log.Notice($"The /mfa comment by {answer.Author!.Name} was taken by another run: nothing for this run to do.");
            return 0;
        }
        if (await trigger.TryLockAsync(request, cancellationToken) is not { } lockId)
        {
            await trigger.Conversation.ReplyAsync(answer, RequestCommentText.Reply(trigger.Conversation.Mention(answer.Author!.Name),
                $"Another run is answering request `{marker.Id}` right now, so your code was not used (your comment was removed). If that run does not finish it, send a new code."), cancellationToken);
            throw new TfMfaException($"Another run is answering request `{marker.Id}`: this run's code was not used. See the request on {trigger.Conversation.Where}.");
        }
        try
        {
            return await AnswerAsync(run, trigger, new Answering(answer, request, marker, facts!, new SuppliedCode(take.Code, answer.Author!.Name)), cancellationToken);
        }
        finally
        {
            try { await trigger.UnlockAsync(request, lockId, CancellationToken.None); }
            catch (ConversationException e) { log.Warning($"Could not release request `{marker.Id}` for the next answer ({e.Message}); a later /mfa reply may be refused as 'another run is answering'."); }
        }
    }

    /// <summary>The request, its marker and facts, and the code its reply carries.</summary>
    private sealed record Answering(ConversationComment Reply, ConversationComment Request, RequestMarker Marker, TriggerFacts Facts, SuppliedCode Code);

    /// <summary>The command a request's code unlocks (the marker's): <c>plan</c> for the first code of an apply under plans-and-applies.</summary>
    private static TerraformCommand RequestCommand(RequestMarker marker) =>
        TerraformCommandNames.TryParse(marker.Command, out var command) ? command : TerraformCommand.Apply;

    private static string Describe(TriggerFacts facts, TerraformCommand command) =>
        $"`terraform {command.Name()}` from {facts.Directory}{(facts.Stage == CodeStage.PlanOfApply ? " (the plan of an apply)" : "")}";

    /// <summary>
    /// A request is this workflow's when it asks for this run's environment and directory, and for
    /// the code this job's command needs at this level: a plan's; under applies-only an apply's (its
    /// plan shown); under plans-and-applies an apply's first (the plan) or second (the plan shown).
    /// A marker that pairs a stage with another command, or asks for a code the level does not, is no request of this job.
    /// </summary>
    private static bool IsForThisWorkflow(GateRun run, RequestMarker marker, TriggerFacts facts)
    {
        var command = run.Inputs.Command;
        var twoCodes = command == TerraformCommand.Apply && run.Policy.Level.RequiresMfa(TerraformCommand.Plan);
        var expected = (command, facts.Stage) switch
        {
            (TerraformCommand.Plan, CodeStage.Only) => "plan",
            (TerraformCommand.Apply, CodeStage.Only) when !twoCodes && facts.ChangesSha256 is not null => "apply",
            (TerraformCommand.Apply, CodeStage.PlanOfApply) when twoCodes => "plan",
            (TerraformCommand.Apply, CodeStage.ApplyOfPlan) when twoCodes && facts.ChangesSha256 is not null => "apply",
            _ => null,
        };
        return expected is not null && marker.Command == expected
               && string.Equals(marker.Environment, RequestCommentText.MarkerValue(run.Policy.Environment), StringComparison.Ordinal)
               && string.Equals(facts.Directory, run.WorkspaceRelative, StringComparison.Ordinal);
    }

    /// <summary>A reply that answers nothing: its code is removed (so it is not visible), its writer told why, and the run fails with the reason.</summary>
    private static async Task<int> RefuseAsync(ICommentTrigger trigger, ConversationComment answer, MfaCommand command, IRunLog log, string why, CancellationToken cancellationToken)
    {
        var showsCode = command.Kind == MfaCommandKind.Code || MfaCommand.MayHoldACode(answer.Body);
        if (showsCode) await trigger.Conversation.ClaimAsync(answer, cancellationToken);
        if (answer.Author is { } author && (await trigger.Approvers.CheckAsync(author, cancellationToken)).Allowed)
            await trigger.Conversation.ReplyAsync(answer, RequestCommentText.Reply(trigger.Conversation.Mention(author.Name),
                $"No run takes this code: {why}.{(showsCode ? " Your comment was removed, so its code is not visible." : "")}"), cancellationToken);
        throw new TfMfaException($"The /mfa comment that started this run answers nothing: {why}.");
    }
}
