using TfMfa.Codes;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

public sealed partial class ConversationRequest
{
    /// <summary>
    /// A code comment is claimed at once, whoever wrote it: that hides the code and takes it (a lost
    /// claim means another run took it). Whether its writer may supply codes is asked at the same
    /// time, so taking a code costs one round trip after the poll, not two. A code is used only when
    /// both answers say yes; an unauthorized writer's code is just gone.
    /// </summary>
    private async Task<SuppliedCode?> ClaimAsync(ConversationComment comment, ConversationAuthor author, MfaCode code, CancellationToken cancellationToken)
    {
        var who = Mention(author);
        _ = AcknowledgeQuietlyAsync(comment, cancellationToken);
        var permission = channel.Approvers.CheckAsync(author, cancellationToken);
        ClaimOutcome claim;
        try
        {
            claim = await Conversation.ClaimAsync(comment, cancellationToken);
        }
        finally
        {
            // Observe the lookup whatever happened to the claim.
            await permission.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        if (!claim.Won)
        {
            Log.Info($"The /mfa comment by {who} was taken by another run waiting on {Conversation.Where}; still waiting.");
            return null;
        }

        ApproverCheck check;
        try
        {
            check = await permission;
        }
        catch (ConversationException e)
        {
            Log.Warning($"Took {who}'s /mfa comment but could not check their permission ({e.Message}); its code is not used. Post a new code.");
            return null;
        }
        if (!check.Allowed)
        {
            channel.CountRemoval(author.Name);
            Log.Info(claim.StillVisible is null
                ? $"Ignored a /mfa comment by {who}: {check.Reason} (the comment was removed, so its code is not visible)."
                : $"Ignored a /mfa comment by {who}: {check.Reason} (its code is not used; it stays visible until it expires: {claim.StillVisible}).");
            return null;
        }
        if (await RewrittenAsync(cancellationToken) is { } rewritten)
        {
            await ReplaceRewrittenRequestAsync(rewritten, cancellationToken);
            await Conversation.ReplyAsync(comment, RequestCommentText.Reply(who,
                $"Your code was not used: {rewritten}, and a code counts only while the request says exactly what TfMfa wrote. " +
                $"A new request (`{_id}`) replaces it; check what it shows, then send a new code: `/mfa {_id} 123456`."), cancellationToken);
            return null;
        }
        Log.Info(claim.StillVisible is null
            ? $"Took the code from {who}'s comment (deleted it so the code is no longer visible)."
            : $"Took the code from {who}'s comment; it stays visible until it expires: {claim.StillVisible}.");
        return new SuppliedCode(code, author.Name);
    }

    /// <summary>A courtesy that races the claim, so it may not land.</summary>
    private async Task AcknowledgeQuietlyAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        try { await Conversation.AcknowledgeAsync(comment, cancellationToken); }
        catch (Exception e) when (e is ConversationException or OperationCanceledException) { }
    }
}
