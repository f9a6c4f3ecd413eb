using TfMfa.Codes;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>
/// One request for a code on a conversation: posted when first asked, then a poll for the first
/// comment written after it by an allowed person. Claiming that comment takes the code (exactly one
/// of two waiting runs wins) and hides it where the platform allows. Each comment is judged by
/// <see cref="CommentRules"/>; this class only looks up what the rules ask for and does what they decide.
/// </summary>
public sealed partial class ConversationRequest(ConversationChannel channel, CodeRequest request) : ICodeRequest
{
    private IConversation Conversation => channel.Conversation;
    private IRunLog Log => channel.Log;
    private string Mention(ConversationAuthor author) => channel.Mention(author.Name);

    private int _failures;

    public async Task<SuppliedCode> NextCodeAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        var lastFailure = attempt.LastRejection is { } rejected
            ? rejected.Code.FromApproval
                ? $"The code in {channel.Mention(rejected.Code.SuppliedBy)}'s environment approval was not accepted (it may have expired while the job was queued): {rejected.Reason}"
                : $"The code from {channel.Mention(rejected.Code.SuppliedBy)} was not accepted: {rejected.Reason}"
            : null;
        await ShowAsync(lastFailure, attempt.Left, cancellationToken);

        _failures = 0;
        while (true)
        {
            // Polls start at a fixed rate: the time a poll takes does not stretch the interval.
            var pollStarted = channel.Clock.GetTimestamp();
            var (code, paused) = await PollOnceAsync(cancellationToken);
            if (code is not null) return code;
            if (paused) continue; // the pause after a failure was the wait
            var interval = PollSchedule.IntervalAt(channel.PollInterval, channel.Clock.GetElapsedTime(_askedAt), Conversation.ReadsAreCounted);
            var untilNextPoll = interval - channel.Clock.GetElapsedTime(pollStarted);
            if (untilNextPoll > TimeSpan.Zero) await Task.Delay(untilNextPoll, channel.Clock, cancellationToken);
        }
    }

    /// <summary>Reads the comments written since the request and judges each new one; a code when one was taken.</summary>
    /// <returns>Paused: the platform failed and the run already waited as it asked.</returns>
    private async Task<(SuppliedCode? Code, bool Paused)> PollOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ConversationComment> comments;
        try
        {
            comments = await Conversation.CommentsSinceAsync(_posted!, cancellationToken);
            if (_failures > 0) Log.Info($"{Conversation.Platform} answers again; still waiting for a code.");
            _failures = 0;
            channel.Answered();
        }
        catch (ConversationException e) when (e.IsTransient)
        {
            await channel.PauseAfterFailureAsync(e, ++_failures, cancellationToken);
            return (null, true);
        }

        LookUpWritersAhead(comments, cancellationToken);
        foreach (var comment in comments)
        {
            if (comment.Id == _posted!.Id || channel.Seen.Contains(comment.Id)) continue;
            SuppliedCode? code;
            try
            {
                code = await ConsiderAsync(comment, cancellationToken);
            }
            catch (ConversationException e) when (e.IsTransient)
            {
                // Not marked as seen: the comment is looked at again on the next poll.
                await channel.PauseAfterFailureAsync(e, ++_failures, cancellationToken);
                return (null, true);
            }
            channel.Seen.Add(comment.Id);
            if (code is not null) return (code, false);
        }
        return (null, false);
    }

    private RequestView View => new(_id!, _posted!.Sequence, _posted.CreatedAt, request.Command, request.Environment, Conversation.Where, Conversation.Mention);

    /// <summary>
    /// Reads the permissions of every new writer of a command in this poll at once, rather than one
    /// round trip after another: a crowd of strangers ahead of an allowed person's code does not stall it.
    /// </summary>
    private void LookUpWritersAhead(IReadOnlyList<ConversationComment> comments, CancellationToken cancellationToken)
    {
        var view = View;
        var writers = comments
            // Only comments whose writer decides: an early or edited one is refused without a lookup.
            .Where(c => c.Id != _posted!.Id && !channel.Seen.Contains(c.Id) && c.Author is not null && CommentRules.NotNewAndUnedited(c, view) is null)
            .Where(c => MfaCommand.Parse(c.Body).Kind is MfaCommandKind.Code or MfaCommandKind.Cancel or MfaCommandKind.Malformed)
            .Where(c => channel.Approvers.Known(c.Author!) is null)
            .Select(c => c.Author!)
            .DistinctBy(a => a.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var author in writers)
            _ = channel.Approvers.CheckAsync(author, cancellationToken)
                .ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Judges one comment, looking up what the rules ask for, and does what they decide.</summary>
    /// <returns>The claimed code, or null when the comment is not one to take.</returns>
    private async Task<SuppliedCode?> ConsiderAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        var facts = new CommentFacts(comment.Author is { } writer ? channel.Approvers.Known(writer) : null);
        while (true)
        {
            switch (CommentRules.Decide(comment, View, facts))
            {
                case CommentDecision.NeedWriter:
                    facts = facts with { Writer = await channel.Approvers.CheckAsync(comment.Author!, cancellationToken) };
                    continue;
                case CommentDecision.NeedOpenRequests need:
                    try { facts = facts with { OtherOpenIds = await channel.OtherOpenRequestsAsync(cancellationToken) }; }
                    catch (ConversationException e) when (need.RefusalIsAnAnswer && !e.IsTransient) { facts = facts with { OpenRequestsUnreadable = e.Message }; }
                    continue;
                case CommentDecision.Ignore ignore:
                    if (ignore.Note is { } note) Log.Info(note);
                    return null;
                case CommentDecision.LeaveAlone leave:
                    Log.Warning(leave.Warning);
                    return null;
                case CommentDecision.Refuse refuse:
                    channel.Refuse(comment, refuse.Why, refuse.Remove);
                    return null;
                case CommentDecision.RefuseEverywhere refuse:
                    await RefuseEverywhereAsync(comment, refuse, cancellationToken);
                    return null;
                case CommentDecision.Answer answer:
                    Log.Info(answer.Note);
                    if (answer.Remove) await TryRemoveAsync(comment, cancellationToken);
                    await Conversation.ReplyAsync(comment, RequestCommentText.Reply(Mention(comment.Author!), answer.Reply), cancellationToken);
                    return null;
                case CommentDecision.Take take:
                    return await ClaimAsync(comment, comment.Author!, take.Code, cancellationToken);
                case CommentDecision.Cancel cancel:
                    await CloseAsync(new Outcome.Ended(CodeWaitEnd.Cancelled, cancel.Message), cancellationToken);
                    throw new CodeWaitCancelledException(cancel.Message);
                case var other:
                    throw new InvalidOperationException($"No action for {other}.");
            }
        }
    }

    /// <summary>
    /// A command that no waiting run may take, wherever it is read: its code is hidden and its writer
    /// told why, once. Of several runs reading it, the one that claims it answers.
    /// </summary>
    private async Task RefuseEverywhereAsync(ConversationComment comment, CommentDecision.RefuseEverywhere refuse, CancellationToken cancellationToken)
    {
        var who = Mention(comment.Author!);
        var claim = refuse.ShowsCode ? await Conversation.ClaimAsync(comment, cancellationToken) : null;
        if (refuse.DrawNewId) await KeepIdUniqueAsync(cancellationToken);
        var why = refuse.Why(_id!);
        if (claim is null)
        {
            Log.Info($"Ignored a /mfa comment by {who}: {why}.");
            return;
        }
        if (!claim.Won)
        {
            Log.Info($"Ignored a /mfa comment by {who}: {why}; another run waiting on {Conversation.Where} removed and answered it.");
            return;
        }
        var hidden = claim.StillVisible is null
            ? " (the comment was removed, so its code is not visible)"
            : $" (its code is not used; it stays visible until it expires: {claim.StillVisible})";
        Log.Info($"Ignored a /mfa comment by {who}: {why}{hidden}.");
        await Conversation.ReplyAsync(comment, RequestCommentText.Reply(who,
            refuse.Reply(_id!) + (claim.StillVisible is null ? " Your comment was removed, so its code is not visible." : " No run uses its code.")), cancellationToken);
    }

    /// <summary>A removal the platform may refuse (Azure DevOps, another person's comment): then the code stays visible until it expires.</summary>
    private async Task TryRemoveAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        try { await Conversation.RemoveAsync(comment, cancellationToken); }
        catch (ConversationException e) when (!e.IsTransient)
        {
            Log.Warning($"Could not remove comment {comment.Id}, so what it shows stays visible until it expires: {e.Message}");
        }
    }
}
