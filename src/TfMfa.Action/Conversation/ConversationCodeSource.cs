using TfMfa.Codes;
using TfMfa.Gate;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>
/// The <c>/mfa 123456</c> comment command on any conversation: one request per code a run needs, then a
/// poll for the first comment written after the request by an allowed person. Claiming that
/// comment takes the code (exactly one of two waiting runs wins) and hides it where the platform allows.
/// Which comments count, the pacing and the backoff are decided here, once for every platform.
/// </summary>
public sealed class ConversationCodeSource(
    IConversation conversation,
    Approvers approvers,
    Func<CodeRequest, RequestDetails> describe,
    TimeSpan pollInterval,
    TimeProvider clock,
    IRunLog log)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly HashSet<string> _seen = [];
    /// <summary>The requests this run posted: an earlier one is concluded, even if its final edit did not land.</summary>
    private readonly List<ConversationComment> _ourRequests = [];
    private ConversationComment? _request;
    private RequestDetails? _details;
    private string? _requestId;
    private string? _lastFailure;
    private int _attemptsLeft;
    private bool _finished;

    /// <summary>The platform's last failing answer while it keeps failing; null once it answers again.</summary>
    public string? Trouble { get; private set; }

    private string Mention(ConversationAuthor author) => conversation.Mention(author.Name);

    public async Task<SuppliedCode> NextCodeAsync(CodeRequest request, string? lastFailure, int attemptsLeft, CancellationToken cancellationToken)
    {
        // A run that needs a second code (an apply under plans-and-applies) asks anew once the first request is concluded.
        var asking = _request is null || _finished;
        // A new request draws a new id; an edited one keeps its own.
        if (asking) _requestId = RequestIds.New([]);
        _details = describe(request) with { RequestId = _requestId };
        (_lastFailure, _attemptsLeft) = (lastFailure, attemptsLeft);
        var text = RequestCommentText.Waiting(_details, lastFailure, attemptsLeft);
        if (asking)
        {
            _request = await WithRetriesAsync(() => conversation.PostRequestAsync(text, cancellationToken), cancellationToken);
            _written = text;
            _finished = false;
            _ourRequests.Add(_request);
            log.Info($"🔒 Asked for an MFA code on {conversation.Where}; waiting until {_details.Deadline.UtcDateTime:HH:mm:ss} UTC for a '/mfa 123456' comment.");
            // Whether another open request has the drawn id is checked when a code names it (NamesTwoOpenRequestsAsync), not
            // here: a random id clashes about once in 280,000 draws, and a read of the whole thread now would cost every run
            // a counted request in its first minute for that.
        }
        else if (lastFailure is not null)
        {
            await TryUpdateAsync(text, cancellationToken);
        }

        var failures = 0;
        while (true)
        {
            // Polls start at a fixed rate: the time a poll takes does not stretch the interval.
            var pollStarted = clock.GetTimestamp();
            IReadOnlyList<ConversationComment> comments;
            try
            {
                comments = await conversation.CommentsSinceAsync(_request!, cancellationToken);
                if (failures > 0) log.Info($"{conversation.Platform} answers again; still waiting for a code.");
                failures = 0;
                Trouble = null;
            }
            catch (ConversationException e) when (e.IsTransient)
            {
                await PauseAfterFailureAsync(e, ++failures, cancellationToken);
                continue;
            }

            LookUpWritersAhead(comments, cancellationToken);
            foreach (var comment in comments)
            {
                if (comment.Id == _request!.Id || _seen.Contains(comment.Id)) continue;
                SuppliedCode? code;
                try
                {
                    code = await ConsiderAsync(comment, cancellationToken);
                }
                catch (ConversationException e) when (e.IsTransient)
                {
                    // Not marked as seen: the comment is looked at again on the next poll.
                    await PauseAfterFailureAsync(e, ++failures, cancellationToken);
                    goto nextPoll;
                }
                _seen.Add(comment.Id);
                if (code is not null) return code;
            }

            var untilNextPoll = pollInterval - clock.GetElapsedTime(pollStarted);
            if (untilNextPoll > TimeSpan.Zero) await Task.Delay(untilNextPoll, clock, cancellationToken);
            nextPoll:;
        }
    }

    /// <summary>
    /// Ids are drawn at random, so two open requests rarely share one; when they do (a race, or a
    /// look-alike copying a waiting request's id), this request draws an id no open request has and
    /// its text says so.
    /// </summary>
    private async Task KeepIdUniqueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> others;
        try
        {
            others = await WithRetriesAsync(() => OtherOpenRequestsAsync(cancellationToken), cancellationToken);
        }
        catch (ConversationException e)
        {
            // A clash is still caught when a code names the id: such a code is taken by none.
            log.Warning($"Could not list the other open requests on {conversation.Where} to check that request `{_requestId}` is the only one with its id: {e.Message}");
            return;
        }
        if (!others.Contains(_requestId!)) return;
        var taken = _requestId;
        _requestId = RequestIds.New([.. others]);
        _details = _details! with { RequestId = _requestId };
        log.Info($"Another open request on {conversation.Where} has the id `{taken}`; this request is now `{_requestId}`.");
        await TryUpdateAsync(RequestCommentText.Waiting(_details, _lastFailure, _attemptsLeft), cancellationToken);
    }

    private readonly Dictionary<long, bool?> _completedRuns = [];
    private readonly HashSet<string> _markedExpired = [];

    /// <summary>
    /// The ids of the other requests open here: posted by the identity this run's requests are posted
    /// as (found once, from the first of them), never one of this run's own (an apply may ask twice, and
    /// an earlier request's final edit may not have landed), and only while open (<see cref="OpenRequests"/>).
    /// Requests that read as waiting but are not open are edited to say so, once, off the wait's path.
    /// </summary>
    private async Task<IReadOnlyList<string>> OtherOpenRequestsAsync(CancellationToken cancellationToken)
    {
        if (_ourRequests.FirstOrDefault()?.Author is not { } poster)
            throw new ConversationException($"{conversation.Platform} did not say who posted this run's request, so its other requests cannot be told from look-alikes", null, transient: false, null);
        var posted = await conversation.CommentsByAsync(poster, cancellationToken);
        var now = clock.GetUtcNow();
        // Each run is read once a listing (a finished one never again); a run the token may not read is judged by the deadline alone.
        foreach (var run in OpenRequests.Judge(posted, [.. _ourRequests.Select(r => r.Id)], now, _ => false).Where(r => r.IsOpen).Select(r => r.Marker.RunId).OfType<long>().Distinct())
            if (_completedRuns.GetValueOrDefault(run) != true)
                _completedRuns[run] = await RunCompletedAsync(run, cancellationToken);
        var judged = OpenRequests.Judge(posted, [.. _ourRequests.Select(r => r.Id)], now, run => _completedRuns.GetValueOrDefault(run));
        foreach (var expired in judged.Where(r => !r.IsOpen && _markedExpired.Add(r.Comment.Id)))
        {
            log.Info($"Request `{expired.Marker.Id}` on {conversation.Where} reads as waiting but is not open: {expired.Expired}. Marking it expired.");
            _removals.Add(MarkExpiredQuietlyAsync(expired));
        }
        return [.. judged.Where(r => r.IsOpen).Select(r => r.Marker.Id)];
    }

    private async Task<bool?> RunCompletedAsync(long run, CancellationToken cancellationToken)
    {
        try { return await conversation.RunCompletedAsync(run, cancellationToken); }
        catch (ConversationException e) when (!e.IsTransient)
        {
            log.Info($"Could not read run {run} on {conversation.Platform} ({e.Message}); its request counts as open until its deadline.");
            return null;
        }
    }

    private async Task MarkExpiredQuietlyAsync(JudgedRequest expired)
    {
        try
        {
            await conversation.EditRequestAsync(expired.Comment, OpenRequests.ExpiredText(expired.Comment.Body, expired.Expired!), CancellationToken.None);
            await conversation.ConcludeAsync(expired.Comment, CancellationToken.None);
        }
        catch (ConversationException e) { log.Warning($"Could not mark request `{expired.Marker.Id}` expired: {e.Message}"); }
    }

    public async Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken)
    {
        if (_details is null || _request is null) return;
        _finished = true;
        await TryUpdateAsync(RequestCommentText.Authenticated(_details, code.SuppliedBy, clock.GetUtcNow(), expiration, code.Device), cancellationToken);
        await ConcludeAsync(cancellationToken);
    }

    public async Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken)
    {
        if (_details is null || _request is null || _finished) return;
        _finished = true;
        await TryUpdateAsync(RequestCommentText.Ended(_details, end, message), cancellationToken);
        await ConcludeAsync(cancellationToken);
    }

    private async Task ConcludeAsync(CancellationToken cancellationToken)
    {
        try { await conversation.ConcludeAsync(_request!, cancellationToken); }
        catch (ConversationException e) { log.Warning($"Could not close the request on {conversation.Where}: {e.Message}"); }
        await Task.WhenAll(_removals).WaitAsync(cancellationToken);
    }

    /// <summary>Why a comment cannot count whoever wrote it, or null: only comments written after the request, and never edited, count.</summary>
    private string? NotNewAndUnedited(ConversationComment comment) =>
        // Where the platform numbers comments in order, a smaller number was written before the request, whenever it was edited.
        (comment.Sequence is { } sequence && _request!.Sequence is { } requestSequence && sequence < requestSequence) || comment.CreatedAt < _request!.CreatedAt
            ? "it was written before the request (edited later), and only new comments count"
        : comment.UpdatedAt is { } updated && updated > comment.CreatedAt ? "it was edited, and only unedited new comments count"
        : null;

    /// <summary>
    /// Reads the permissions of every new writer of a command in this poll at once, rather than one
    /// round trip after another: a crowd of strangers ahead of an allowed person's code does not stall it.
    /// </summary>
    private void LookUpWritersAhead(IReadOnlyList<ConversationComment> comments, CancellationToken cancellationToken)
    {
        var writers = comments
            // Only comments whose writer decides: an early or edited one is refused without a lookup.
            .Where(c => c.Id != _request!.Id && !_seen.Contains(c.Id) && c.Author is not null && NotNewAndUnedited(c) is null)
            .Where(c => MfaCommand.Parse(c.Body).Kind is MfaCommandKind.Code or MfaCommandKind.Cancel or MfaCommandKind.Malformed)
            .Where(c => approvers.Known(c.Author!) is null)
            .Select(c => c.Author!)
            .DistinctBy(a => a.Key, StringComparer.OrdinalIgnoreCase);
        foreach (var author in writers)
            _ = approvers.CheckAsync(author, cancellationToken)
                .ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>
    /// A comment that shows a code but cannot be taken (edited, written before the request, disguised,
    /// by a deleted account or by someone not allowed) is removed all the same, so no code stays
    /// visible. Removals for people who may not supply codes are capped per writer and per run, so a
    /// flood spends a bounded share of the token's budget; past the cap their comments are left alone.
    /// </summary>
    public const int MaxRemovalsPerWriter = 3;
    public const int MaxRemovalsForOthers = 60;

    private readonly Dictionary<string, int> _removalsByWriter = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _toldAboutCap = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Task> _removals = [];
    private readonly SemaphoreSlim _removalSlots = new(4);
    private int _removalsForOthers;

    /// <returns>The claimed code, or null when the comment is not one to take.</returns>
    private async Task<SuppliedCode?> ConsiderAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        var command = MfaCommand.Parse(comment.Body);
        if (command.Kind == MfaCommandKind.None) return null;
        var showsCode = command.Kind == MfaCommandKind.Code || MfaCommand.MayHoldACode(comment.Body);

        if (comment.Author is not { } author)
        {
            Refuse(comment, "by a deleted account: nobody can tell who wrote it", showsCode);
            return null;
        }
        var who = Mention(author);
        if (NotNewAndUnedited(comment) is { } why)
        {
            Refuse(comment, $"by {who}: {why}", showsCode);
            return null;
        }
        if (command.Kind == MfaCommandKind.Disguised)
        {
            Refuse(comment, $"by {who}: it only looks like a command (invisible characters, Unicode spaces or digits, or indented into a code block); type `/mfa 123456` plainly", showsCode);
            return null;
        }

        // Someone already known not to be allowed costs no further lookup, and no claim.
        if (approvers.Known(author) is { Allowed: false } known)
        {
            Refuse(comment, $"by {who}: {known.Reason}", showsCode);
            return null;
        }

        if (command.Kind is MfaCommandKind.Code or MfaCommandKind.Cancel && await NotForThisRequestAsync(comment, command, author, showsCode, cancellationToken))
            return null;

        if (command.Kind == MfaCommandKind.Code) return await ClaimAsync(comment, author, command.Code!, cancellationToken);

        var check = await approvers.CheckAsync(author, cancellationToken);
        if (!check.Allowed)
        {
            Refuse(comment, $"by {who}: {check.Reason}", showsCode);
            return null;
        }

        if (command.Kind == MfaCommandKind.Cancel)
        {
            var message = $"Cancelled by {who} with /mfa cancel.";
            await WaitEndedAsync(CodeWaitEnd.Cancelled, message, cancellationToken);
            throw new CodeWaitCancelledException(message);
        }

        // A near miss from someone allowed: remove what may be a code, and say how to get it right.
        log.Info($"Ignored a /mfa comment by {who}: {command.Reply}");
        if (showsCode) await TryRemoveAsync(comment, cancellationToken);
        await conversation.ReplyAsync(comment, RequestCommentText.Reply(who, command.Reply!), cancellationToken);
        return null;
    }

    /// <summary>
    /// A command that names another request is left to that run. A bare one while other requests
    /// are open is taken by none of them (it could unlock whichever run claims it first): it is
    /// removed, and an allowed writer is told how to name the request.
    /// </summary>
    private async Task<bool> NotForThisRequestAsync(ConversationComment comment, MfaCommand command, ConversationAuthor author, bool showsCode, CancellationToken cancellationToken)
    {
        var ours = RequestCommentText.IdOf(_details!);
        var who = Mention(author);
        if (command.RequestId is { } named)
        {
            if (named == ours) return await NamesTwoOpenRequestsAsync(comment, author, showsCode, cancellationToken);
            IReadOnlyList<string> open;
            try
            {
                open = await OtherOpenRequestsAsync(cancellationToken);
            }
            catch (ConversationException e) when (!e.IsTransient)
            {
                log.Warning($"A /mfa comment by {who} names request `{named}`, not this one (`{ours}`), and the open requests on {conversation.Where} could not be listed ({e.Message}); it is left alone, in case that request is open.");
                return true;
            }
            if (open.Contains(named))
            {
                log.Info($"A /mfa comment by {who} names request `{named}`, not this one (`{ours}`); it is left to that request's run.");
                return true;
            }
            // No run will ever take it (a typo, or a finished request's id): without this, its code would stay visible for good.
            var openIds = string.Join(", ", open.Prepend(ours).Select(id => $"`{id}`"));
            await RefuseForEveryRunAsync(comment, author, showsCode,
                () => $"it names request `{named}`, and no open request on {conversation.Where} has that id (open: {openIds})",
                () => $"`{named}` matches no open TfMfa request here, so no run takes this code. The open requests are {openIds}: " +
                $"send a new code naming one of them, like `/mfa {ours} 123456`; each request shows its id.",
                cancellationToken);
            return true;
        }
        // Another job of the same run may share this request's id: requests are told apart by the comment, not the id.
        var others = await OtherOpenRequestsAsync(cancellationToken);
        if (others.Count == 0) return false;

        var check = await approvers.CheckAsync(author, cancellationToken);
        if (!check.Allowed)
        {
            Refuse(comment, $"by {who}: {check.Reason}", showsCode);
            return true;
        }
        log.Info($"Ignored a bare /mfa comment by {who}: {others.Count + 1} requests are open on {conversation.Where} ({string.Join(", ", others.Prepend(ours).Select(id => $"`{id}`"))}), so it names none of them{(showsCode ? " (the comment was removed)" : "")}.");
        if (showsCode) await TryRemoveAsync(comment, cancellationToken);
        await conversation.ReplyAsync(comment, RequestCommentText.Reply(who,
            $"{others.Count + 1} TfMfa requests are open here, so a bare `/mfa` is taken by none of them{(showsCode ? " (your comment was removed, so its code is not visible)" : "")}. " +
            $"Name the request: `/mfa {ours} 123456` for `terraform {_details!.Command.Name()}` in {RunLog.MarkdownText.Code(_details.Environment)} (request `{ours}`); each request shows its id."), cancellationToken);
        return true;
    }

    /// <summary>
    /// A code naming this request's id is taken only while no other open request has that id: a
    /// look-alike request with the same id (or a clash in a race) would otherwise let either run take
    /// it. Then neither takes it, this request draws a new id, and the writer is told why.
    /// </summary>
    private async Task<bool> NamesTwoOpenRequestsAsync(ConversationComment comment, ConversationAuthor author, bool showsCode, CancellationToken cancellationToken)
    {
        var named = _requestId!;
        var others = await OtherOpenRequestsAsync(cancellationToken);
        var twins = others.Count(id => id == named);
        if (twins == 0) return false;
        // The new id is drawn only after the claim: a twin run that sees this request's new id first finds the comment already taken.
        await RefuseForEveryRunAsync(comment, author, showsCode,
            () => $"it names request `{named}`, and {twins + 1} open requests on {conversation.Where} have that id, so it is taken by none (this request is now `{_requestId}`)",
            () => $"{twins + 1} open TfMfa requests here have the id `{named}` (one may be a look-alike), so none takes this code. " +
                  $"A real request draws a new id and shows it: this one is now `{_requestId}` (`/mfa {_requestId} 123456` for `terraform {_details!.Command.Name()}` in {RunLog.MarkdownText.Code(_details.Environment)}).",
            cancellationToken, afterClaim: () => KeepIdUniqueAsync(cancellationToken));
        return true;
    }

    /// <summary>
    /// A command that no waiting run may take, wherever it is read: its code is hidden and an allowed
    /// writer is told why, once. Of several runs reading it, the one that claims it answers; people who
    /// may not supply codes get the capped removal and no reply.
    /// </summary>
    /// <param name="afterClaim">What to do once the comment is out of every run's reach, before <paramref name="why"/> and <paramref name="reply"/> are worded.</param>
    private async Task RefuseForEveryRunAsync(ConversationComment comment, ConversationAuthor author, bool showsCode, Func<string> why, Func<string> reply,
        CancellationToken cancellationToken, Func<Task>? afterClaim = null)
    {
        var who = Mention(author);
        var check = await approvers.CheckAsync(author, cancellationToken);
        ClaimOutcome? claim = check.Allowed && showsCode ? await conversation.ClaimAsync(comment, cancellationToken) : null;
        if (afterClaim is not null) await afterClaim();
        if (!check.Allowed)
        {
            Refuse(comment, $"by {who}: {check.Reason}", showsCode);
            return;
        }
        if (claim is null)
        {
            log.Info($"Ignored a /mfa comment by {who}: {why()}.");
            return;
        }
        if (!claim.Won)
        {
            log.Info($"Ignored a /mfa comment by {who}: {why()}; another run waiting on {conversation.Where} removed and answered it.");
            return;
        }
        var hidden = claim.StillVisible is null
            ? " (the comment was removed, so its code is not visible)"
            : $" (its code is not used; it stays visible until it expires: {claim.StillVisible})";
        log.Info($"Ignored a /mfa comment by {who}: {why()}{hidden}.");
        await conversation.ReplyAsync(comment, RequestCommentText.Reply(who,
            reply() + (claim.StillVisible is null ? " Your comment was removed, so its code is not visible." : " No run uses its code.")), cancellationToken);
    }

    /// <summary>Logs why a comment does not count and, when it shows a code, removes it in the background within the caps.</summary>
    private void Refuse(ConversationComment comment, string why, bool showsCode)
    {
        if (!showsCode)
        {
            log.Info($"Ignored a /mfa comment {why}.");
            return;
        }
        var writer = comment.Author?.Name ?? "(deleted account)";
        var byWriter = _removalsByWriter.GetValueOrDefault(writer);
        if (byWriter >= MaxRemovalsPerWriter || _removalsForOthers >= MaxRemovalsForOthers)
        {
            if (_toldAboutCap.Add(writer))
                log.Warning($"Ignored a /mfa comment {why}. {writer} has posted more /mfa comments that cannot count than TfMfa removes for one run; the rest are left alone (neither read again nor removed).");
            return;
        }
        _removalsByWriter[writer] = byWriter + 1;
        _removalsForOthers++;
        log.Info($"Ignored a /mfa comment {why} (the comment was removed, so its code is not visible).");
        _removals.Add(RemoveQuietlyAsync(comment));
    }

    /// <summary>A removal the platform may refuse (Azure DevOps, another person's comment): then the code stays visible until it expires.</summary>
    private async Task TryRemoveAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        try { await conversation.RemoveAsync(comment, cancellationToken); }
        catch (ConversationException e) when (!e.IsTransient)
        {
            log.Warning($"Could not remove comment {comment.Id}, so what it shows stays visible until it expires: {e.Message}");
        }
    }

    /// <summary>Removal of a comment that does not count: off the wait's path, a few at a time, best effort.</summary>
    private async Task RemoveQuietlyAsync(ConversationComment comment)
    {
        await _removalSlots.WaitAsync();
        try { await conversation.RemoveAsync(comment, CancellationToken.None); }
        catch (ConversationException e) { log.Warning($"Could not remove comment {comment.Id}: {e.Message}"); }
        finally { _removalSlots.Release(); }
    }

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
        var permission = approvers.CheckAsync(author, cancellationToken);
        ClaimOutcome claim;
        try
        {
            claim = await conversation.ClaimAsync(comment, cancellationToken);
        }
        finally
        {
            // Observe the lookup whatever happened to the claim.
            await permission.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        if (!claim.Won)
        {
            log.Info($"The /mfa comment by {who} was taken by another run waiting on {conversation.Where}; still waiting.");
            return null;
        }

        ApproverCheck check;
        try
        {
            check = await permission;
        }
        catch (ConversationException e)
        {
            log.Warning($"Took {who}'s /mfa comment but could not check their permission ({e.Message}); its code is not used. Post a new code.");
            return null;
        }
        if (!check.Allowed)
        {
            _removalsByWriter[author.Name] = _removalsByWriter.GetValueOrDefault(author.Name) + 1;
            log.Info(claim.StillVisible is null
                ? $"Ignored a /mfa comment by {who}: {check.Reason} (the comment was removed, so its code is not visible)."
                : $"Ignored a /mfa comment by {who}: {check.Reason} (its code is not used; it stays visible until it expires: {claim.StillVisible}).");
            return null;
        }
        if (await RequestRewrittenAsync(cancellationToken) is { } rewritten)
        {
            await ReplaceRewrittenRequestAsync(rewritten, cancellationToken);
            await conversation.ReplyAsync(comment, RequestCommentText.Reply(who,
                $"Your code was not used: {rewritten}, and a code counts only while the request says exactly what TfMfa wrote. " +
                $"A new request (`{_requestId}`) replaces it; check what it shows, then send a new code: `/mfa {_requestId} 123456`."), cancellationToken);
            return null;
        }
        log.Info(claim.StillVisible is null
            ? $"Took the code from {who}'s comment (deleted it so the code is no longer visible)."
            : $"Took the code from {who}'s comment; it stays visible until it expires: {claim.StillVisible}.");
        return new SuppliedCode(code, author.Name);
    }

    /// <summary>A courtesy that races the claim, so it may not land.</summary>
    private async Task AcknowledgeQuietlyAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        try { await conversation.AcknowledgeAsync(comment, cancellationToken); }
        catch (Exception e) when (e is ConversationException or OperationCanceledException) { }
    }

    /// <summary>Waits as the platform asked (Retry-After, rate-limit reset) or with growing backoff; the deadline still rules.</summary>
    private async Task PauseAfterFailureAsync(ConversationException error, int failures, CancellationToken cancellationToken)
    {
        Trouble = error.Message;
        var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, pollInterval.Ticks * (1L << Math.Min(failures, 6))));
        var pause = error.RetryAfter is { } asked && asked > backoff ? asked : backoff;
        log.Warning($"{error.Message}; trying again in {Config.Duration.Format(pause)} (the wait for a code goes on).");
        await Task.Delay(pause, clock, cancellationToken);
    }

    private async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try { return await call(); }
            catch (ConversationException e) when (e.IsTransient) { await PauseAfterFailureAsync(e, failures, cancellationToken); }
        }
    }

    private async Task TryUpdateAsync(string body, CancellationToken cancellationToken)
    {
        try
        {
            await conversation.EditRequestAsync(_request!, body, cancellationToken);
            _written = body;
        }
        catch (ConversationException e)
        {
            log.Warning($"Could not update the request on {conversation.Where}: {e.Message}");
        }
    }

    /// <summary>The text TfMfa last wrote into the request it waits on (a failed edit leaves the earlier text in place).</summary>
    private string? _written;

    /// <summary>
    /// Why the request's text is no longer exactly what TfMfa last wrote, or null while it is. Anyone
    /// with write permission can edit a comment (every workflow's GITHUB_TOKEN edits as
    /// github-actions[bot]; on Azure DevOps every pipeline's job token is the same build identity), so
    /// an edited request may show a harmless plan while the run applies another: its codes never count.
    /// Checked when a code is claimed; the gate should check again just before terraform runs with the session.
    /// </summary>
    public async Task<string?> RequestRewrittenAsync(CancellationToken cancellationToken)
    {
        if (_request is null || _written is null) return null;
        var current = await conversation.CurrentTextAsync(_request, cancellationToken);
        if (current is null) return $"the request on {conversation.Where} was deleted";
        return Normalized(current) == Normalized(_written)
            ? null
            : $"the request on {conversation.Where} was edited by someone other than TfMfa ({conversation.WhoEdited})";
    }

    private static string Normalized(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    /// <summary>
    /// An edited request is never trusted again: it is overwritten to say so (its marker stays, so it is
    /// not open), and a fresh request with a new id asks for a code anew.
    /// </summary>
    private async Task ReplaceRewrittenRequestAsync(string why, CancellationToken cancellationToken)
    {
        var old = _request!;
        var oldId = _requestId!;
        log.Warning($"Refused the code: {why}. A code counts only while the request says exactly what TfMfa wrote; posting a new request.");
        try
        {
            await conversation.EditRequestAsync(old, $"{RequestCommentText.Marker(_details!)}\n### ⚠️ This request was changed by someone other than TfMfa: no code is taken for it\n\n" +
                $"{char.ToUpperInvariant(why[0])}{why[1..]}. A new request replaces it; send your code there.", cancellationToken);
            await conversation.ConcludeAsync(old, cancellationToken);
        }
        catch (ConversationException e) { log.Warning($"Could not mark the edited request `{oldId}`: {e.Message}"); }
        _requestId = RequestIds.New([oldId]);
        _details = _details! with { RequestId = _requestId };
        var text = RequestCommentText.Waiting(_details, $"Request `{oldId}` was changed by someone other than TfMfa ({conversation.WhoEdited}), so its codes were refused. This request replaces it.", _attemptsLeft);
        _request = await WithRetriesAsync(() => conversation.PostRequestAsync(text, cancellationToken), cancellationToken);
        _written = text;
        _ourRequests.Add(_request);
        log.Info($"🔒 Asked again with request `{_requestId}` on {conversation.Where}.");
    }
}
