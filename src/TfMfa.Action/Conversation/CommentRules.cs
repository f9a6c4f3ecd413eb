using TfMfa.Codes;

namespace TfMfa.Conversation;

/// <summary>The request a comment is judged against, and how its platform speaks.</summary>
/// <param name="Where">Where the request is, for messages ("#12", "pull request 12").</param>
/// <param name="Mention">How a message addresses someone ("@alice"; an Azure DevOps uniqueName as it is).</param>
public sealed record RequestView(string Id, long? Sequence, DateTimeOffset CreatedAt, TerraformCommand Command, string Environment, string Where, Func<string, string> Mention);

/// <summary>What the run knows when it judges a comment; null where it has not looked yet.</summary>
/// <param name="Writer">The writer's verdict, where known (bots and approvers.users need no lookup).</param>
/// <param name="OtherOpenIds">The ids of the other requests open here, once listed.</param>
/// <param name="OpenRequestsUnreadable">Why they could not be listed (the platform's answer), when it refused for good.</param>
public sealed record CommentFacts(ApproverCheck? Writer, IReadOnlyList<string>? OtherOpenIds = null, string? OpenRequestsUnreadable = null);

/// <summary>What to do with a comment: one value per outcome, acted on by <see cref="ConversationRequest"/>.</summary>
public abstract record CommentDecision
{
    /// <summary>Not a command, or one for another run: nothing to do. <paramref name="Note"/>, if any, goes to the log.</summary>
    public sealed record Ignore(string? Note = null) : CommentDecision;

    /// <summary>Whether it is for another run cannot be told: left alone, with a warning.</summary>
    public sealed record LeaveAlone(string Warning) : CommentDecision;

    /// <summary>It cannot count: logged, and removed (within the run's budget) when it may show a code.</summary>
    public sealed record Refuse(string Why, bool Remove) : CommentDecision;

    /// <summary>
    /// No run may take it: an allowed writer's comment is claimed away from every run (when it may show
    /// a code) and answered; <paramref name="DrawNewId"/> gives this request a new id once the claim is made.
    /// The texts take the request's id as it is after that.
    /// </summary>
    public sealed record RefuseEverywhere(ApproverCheck Writer, bool ShowsCode, Func<string, string> Why, Func<string, string> Reply, bool DrawNewId = false) : CommentDecision;

    /// <summary>An allowed writer's comment that needs an answer: removed first when it may show a code.</summary>
    public sealed record Answer(string Note, string Reply, bool Remove) : CommentDecision;

    /// <summary>Claim the comment and, if this run wins and its writer is allowed, take the code.</summary>
    public sealed record Take(MfaCode Code) : CommentDecision;

    /// <summary>An allowed writer stopped the wait.</summary>
    public sealed record Cancel(string Message) : CommentDecision;

    /// <summary>The rules need the writer's verdict to go on.</summary>
    public sealed record NeedWriter : CommentDecision;

    /// <summary>The rules need the other open requests' ids; <paramref name="RefusalIsAnAnswer"/>: a refusal to list them decides too.</summary>
    public sealed record NeedOpenRequests(bool RefusalIsAnAnswer) : CommentDecision;
}

/// <summary>
/// Which comment counts, as the contract's comment protocol says, decided without I/O: the command on
/// the first line, written after the request and never edited, by an allowed writer (no bot, no
/// deleted account), not disguised, and addressed to this request when others are open. Like
/// Atlantis's comment parser, it returns a decision and leaves the doing to its caller.
/// </summary>
public static class CommentRules
{
    public static CommentDecision Decide(ConversationComment comment, RequestView request, CommentFacts facts)
    {
        var command = MfaCommand.Parse(comment.Body);
        if (command.Kind == MfaCommandKind.None) return new CommentDecision.Ignore();
        var showsCode = command.Kind == MfaCommandKind.Code || MfaCommand.MayHoldACode(comment.Body);

        if (comment.Author is not { } author)
            return new CommentDecision.Refuse("by a deleted account: nobody can tell who wrote it", showsCode);
        var who = request.Mention(author.Name);
        if (NotNewAndUnedited(comment, request) is { } why)
            return new CommentDecision.Refuse($"by {who}: {why}", showsCode);
        if (command.Kind == MfaCommandKind.Disguised)
            return new CommentDecision.Refuse($"by {who}: it only looks like a command (invisible characters, Unicode spaces or digits, or indented into a code block); type `/mfa 123456` plainly", showsCode);
        // Someone known not to be allowed costs no further lookup, and no claim.
        if (facts.Writer is { Allowed: false } refused)
            return new CommentDecision.Refuse($"by {who}: {refused.Reason}", showsCode);

        if (command.Kind is MfaCommandKind.Code or MfaCommandKind.Cancel && Addressing(command, request, facts, who, showsCode) is { } addressed)
            return addressed;

        if (command.Kind == MfaCommandKind.Code) return new CommentDecision.Take(command.Code!);
        if (facts.Writer is null) return new CommentDecision.NeedWriter();
        if (command.Kind == MfaCommandKind.Cancel) return new CommentDecision.Cancel($"Cancelled by {who} with /mfa cancel.");
        // A near miss from someone allowed: remove what may be a code, and say how to get it right.
        return new CommentDecision.Answer($"Ignored a /mfa comment by {who}: {command.Reply}", command.Reply!, showsCode);
    }

    /// <summary>Why a comment cannot count whoever wrote it, or null: only comments written after the request, and never edited, count.</summary>
    public static string? NotNewAndUnedited(ConversationComment comment, RequestView request) =>
        // Where the platform numbers comments in order, a smaller number was written before the request, whenever it was edited.
        (comment.Sequence is { } sequence && request.Sequence is { } requestSequence && sequence < requestSequence) || comment.CreatedAt < request.CreatedAt
            ? "it was written before the request (edited later), and only new comments count"
        : comment.UpdatedAt is { } updated && updated > comment.CreatedAt ? "it was edited, and only unedited new comments count"
        : null;

    /// <summary>
    /// A command that names another open request is left to that run; one naming no open request is
    /// taken by none. A bare one while other requests are open is taken by none of them (it could
    /// unlock whichever run claims it first), and neither is one naming an id two open requests share
    /// (a look-alike copying it, or a clash): this request then draws a new id. Null: it is for this request.
    /// </summary>
    private static CommentDecision? Addressing(MfaCommand command, RequestView request, CommentFacts facts, string who, bool showsCode)
    {
        var ours = request.Id;
        if (command.RequestId is { } named && named != ours)
        {
            if (facts.OtherOpenIds is not { } open)
                return facts.OpenRequestsUnreadable is { } unreadable
                    ? new CommentDecision.LeaveAlone($"A /mfa comment by {who} names request `{named}`, not this one (`{ours}`), and the open requests on {request.Where} could not be listed ({unreadable}); it is left alone, in case that request is open.")
                    : new CommentDecision.NeedOpenRequests(RefusalIsAnAnswer: true);
            if (open.Contains(named))
                return new CommentDecision.Ignore($"A /mfa comment by {who} names request `{named}`, not this one (`{ours}`); it is left to that request's run.");
            if (facts.Writer is not { } writer) return new CommentDecision.NeedWriter();
            // No run will ever take it (a typo, or a finished request's id): without this, its code would stay visible for good.
            var openIds = string.Join(", ", open.Prepend(ours).Select(id => $"`{id}`"));
            return new CommentDecision.RefuseEverywhere(writer, showsCode,
                _ => $"it names request `{named}`, and no open request on {request.Where} has that id (open: {openIds})",
                _ => $"`{named}` matches no open TfMfa request here, so no run takes this code. The open requests are {openIds}: " +
                     $"send a new code naming one of them, like `/mfa {ours} 123456`; each request shows its id.");
        }

        // Another job of the same run may share this request's id: requests are told apart by the comment, not the id.
        if (facts.OtherOpenIds is not { } others) return new CommentDecision.NeedOpenRequests(RefusalIsAnAnswer: false);
        if (command.RequestId is { } mine)
        {
            var twins = others.Count(id => id == mine);
            if (twins == 0) return null;
            if (facts.Writer is not { } writer) return new CommentDecision.NeedWriter();
            // The new id is drawn only after the claim: a twin run that sees this request's new id first finds the comment already taken.
            return new CommentDecision.RefuseEverywhere(writer, showsCode,
                newId => $"it names request `{mine}`, and {twins + 1} open requests on {request.Where} have that id, so it is taken by none (this request is now `{newId}`)",
                newId => $"{twins + 1} open TfMfa requests here have the id `{mine}` (one may be a look-alike), so none takes this code. " +
                         $"A real request draws a new id and shows it: this one is now `{newId}` (`/mfa {newId} 123456` for `terraform {request.Command.Name()}` in {RunLog.MarkdownText.Code(request.Environment)}).",
                DrawNewId: true);
        }

        if (others.Count == 0) return null;
        if (facts.Writer is null) return new CommentDecision.NeedWriter();
        var all = string.Join(", ", others.Prepend(ours).Select(id => $"`{id}`"));
        return new CommentDecision.Answer(
            $"Ignored a bare /mfa comment by {who}: {others.Count + 1} requests are open on {request.Where} ({all}), so it names none of them{(showsCode ? " (the comment was removed)" : "")}.",
            $"{others.Count + 1} TfMfa requests are open here, so a bare `/mfa` is taken by none of them{(showsCode ? " (your comment was removed, so its code is not visible)" : "")}. " +
            $"Name the request: `/mfa {ours} 123456` for `terraform {request.Command.Name()}` in {RunLog.MarkdownText.Code(request.Environment)} (request `{ours}`); each request shows its id.",
            showsCode);
    }
}
