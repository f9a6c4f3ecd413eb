using TfMfa.Codes;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>
/// The <c>/mfa 123456</c> comment command on any conversation, for one run: each code the run needs
/// gets its own request (<see cref="ConversationRequest"/>); what the run learns along the way (its
/// own requests, the comments it judged, who is allowed, what it removed) is kept here for all of
/// them. Which comments count is <see cref="CommentRules"/>' to decide, once for every platform.
/// </summary>
public sealed class ConversationChannel(
    IConversation conversation,
    Approvers approvers,
    Func<CodeRequest, RequestDetails> describe,
    TimeSpan pollInterval,
    TimeProvider clock,
    IRunLog log) : ICodeChannel
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    internal IConversation Conversation => conversation;
    internal Approvers Approvers => approvers;
    internal TimeSpan PollInterval => pollInterval;
    internal TimeProvider Clock => clock;
    internal IRunLog Log => log;
    internal RequestDetails Describe(CodeRequest request) => describe(request);

    /// <summary>Comments already judged: each is judged once a run.</summary>
    internal HashSet<string> Seen { get; } = [];

    /// <summary>The requests this run posted: an earlier one is concluded, even if its final edit did not land.</summary>
    private readonly List<ConversationComment> _ourRequests = [];

    private readonly RemovalBudget _budget = new();
    private readonly List<Task> _removals = [];
    private readonly SemaphoreSlim _removalSlots = new(4);
    private readonly Dictionary<long, bool?> _completedRuns = [];
    private readonly HashSet<string> _markedExpired = [];

    /// <summary>The platform's last failing answer while it keeps failing; null once it answers again.</summary>
    public string? Trouble { get; private set; }

    public string Mention(string name) => conversation.Mention(name);

    public Task<ICodeRequest> OpenAsync(CodeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ICodeRequest>(new ConversationRequest(this, request));

    internal void Answered() => Trouble = null;

    internal async Task<ConversationComment> PostAsync(string text, CancellationToken cancellationToken)
    {
        var posted = await WithRetriesAsync(() => conversation.PostRequestAsync(text, cancellationToken), cancellationToken);
        _ourRequests.Add(posted);
        return posted;
    }

    /// <summary>
    /// The ids of the other requests open here: posted by the identity this run's requests are posted
    /// as (found once, from the first of them), never one of this run's own (an apply may ask twice, and
    /// an earlier request's final edit may not have landed), and only while open (<see cref="OpenRequests"/>).
    /// Requests that read as waiting but are not open are edited to say so, once, off the wait's path.
    /// </summary>
    internal async Task<IReadOnlyList<string>> OtherOpenRequestsAsync(CancellationToken cancellationToken)
    {
        if (_ourRequests.FirstOrDefault()?.Author is not { } poster)
            throw new ConversationException($"{conversation.Platform} did not say who posted this run's request, so its other requests cannot be told from look-alikes", null, transient: false, null);
        var posted = await conversation.CommentsByAsync(poster, cancellationToken);
        var now = clock.GetUtcNow();
        var ours = _ourRequests.Select(r => r.Id).ToList();
        // Each run is read once a listing (a finished one never again); a run the token may not read is judged by the deadline alone.
        foreach (var run in OpenRequests.Judge(posted, ours, now, _ => false).Where(r => r.IsOpen).Select(r => r.Marker.RunId).OfType<long>().Distinct())
            if (_completedRuns.GetValueOrDefault(run) != true)
                _completedRuns[run] = await RunCompletedAsync(run, cancellationToken);
        var judged = OpenRequests.Judge(posted, ours, now, run => _completedRuns.GetValueOrDefault(run));
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

    /// <summary>Logs why a comment does not count and, when it may show a code, removes it in the background within the <see cref="RemovalBudget"/>.</summary>
    internal void Refuse(ConversationComment comment, string why, bool showsCode)
    {
        if (!showsCode)
        {
            log.Info($"Ignored a /mfa comment {why}.");
            return;
        }
        var writer = comment.Author?.Name ?? "(deleted account)";
        if (!_budget.TrySpend(writer))
        {
            if (_budget.FirstTimeOverCap(writer))
                log.Warning($"Ignored a /mfa comment {why}. {writer} has posted more /mfa comments that cannot count than TfMfa removes for one run; the rest are left alone (neither read again nor removed).");
            return;
        }
        log.Info($"Ignored a /mfa comment {why} (the comment was removed, so its code is not visible).");
        _removals.Add(RemoveQuietlyAsync(comment));
    }

    /// <summary>A claimed comment whose writer may not supply codes counts against that writer's removals.</summary>
    internal void CountRemoval(string writer) => _budget.Count(writer);

    /// <summary>Removal of a comment that does not count: off the wait's path, a few at a time, best effort.</summary>
    private async Task RemoveQuietlyAsync(ConversationComment comment)
    {
        await _removalSlots.WaitAsync();
        try { await conversation.RemoveAsync(comment, CancellationToken.None); }
        catch (ConversationException e) { log.Warning($"Could not remove comment {comment.Id}: {e.Message}"); }
        finally { _removalSlots.Release(); }
    }

    /// <summary>The background removals and edits started so far have ended.</summary>
    internal Task RemovalsDoneAsync(CancellationToken cancellationToken) => Task.WhenAll(_removals).WaitAsync(cancellationToken);

    /// <summary>Waits as the platform asked (Retry-After, rate-limit reset) or with growing backoff; the deadline still rules.</summary>
    internal async Task PauseAfterFailureAsync(ConversationException error, int failures, CancellationToken cancellationToken)
    {
        Trouble = error.Message;
        var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, pollInterval.Ticks * (1L << Math.Min(failures, 6))));
        var pause = error.RetryAfter is { } asked && asked > backoff ? asked : backoff;
        log.Warning($"{error.Message}; trying again in {Config.Duration.Format(pause)} (the wait for a code goes on).");
        await Task.Delay(pause, clock, cancellationToken);
    }

    internal async Task<T> WithRetriesAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        for (var failures = 1; ; failures++)
        {
            try { return await call(); }
            catch (ConversationException e) when (e.IsTransient) { await PauseAfterFailureAsync(e, failures, cancellationToken); }
        }
    }
}
