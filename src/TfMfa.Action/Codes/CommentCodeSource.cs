using TfMfa.GitHub;
using TfMfa.RunLog;

namespace TfMfa.Codes;

/// <summary>
/// The <c>/mfa 123456</c> comment command: one request comment per run attempt, then a poll of
/// the pull request's comments (conditional, so an unchanged poll costs no rate limit) for the
/// first comment created after the request by an allowed person. Deleting that comment hides the
/// code and claims it; a 404 there means another run took it.
/// </summary>
public sealed class CommentCodeSource(
    IGitHubApi github,
    Approvers approvers,
    Func<CancellationToken, Task<int>> findIssueNumber,
    Func<CodeRequest, RequestDetails> describe,
    TimeSpan pollInterval,
    TimeProvider clock,
    IRunLog log)
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private readonly HashSet<long> _seen = [];
    private GitHubComment? _request;
    private RequestDetails? _details;
    private int _issue;
    private bool _finished;

    public bool HasAsked => _request is not null;

    /// <summary>GitHub's last failing answer while it keeps failing; null once it answers again.</summary>
    public string? Trouble { get; private set; }

    public async Task<SuppliedCode> NextCodeAsync(CodeRequest request, string? lastFailure, int attemptsLeft, CancellationToken cancellationToken)
    {
        _details = describe(request);
        var text = RequestCommentText.Waiting(_details, lastFailure, attemptsLeft);
        if (_request is null)
        {
            _issue = await findIssueNumber(cancellationToken);
            _request = await WithRetriesAsync(() => github.CreateCommentAsync(_issue, text, cancellationToken), cancellationToken);
            log.Info($"🔒 Asked for an MFA code on #{_issue}; waiting until {_details.Deadline.UtcDateTime:HH:mm:ss} UTC for a '/mfa 123456' comment.");
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
            IReadOnlyList<GitHubComment> comments;
            try
            {
                comments = await github.ListCommentsAsync(_issue, _request.CreatedAt, cancellationToken);
                if (failures > 0) log.Info("GitHub answers again; still waiting for a code.");
                failures = 0;
                Trouble = null;
            }
            catch (GitHubException e) when (e.IsTransient)
            {
                await PauseAfterFailureAsync(e, ++failures, cancellationToken);
                continue;
            }

            foreach (var comment in comments)
            {
                if (comment.Id == _request.Id || _seen.Contains(comment.Id)) continue;
                SuppliedCode? code;
                try
                {
                    code = await ConsiderAsync(comment, cancellationToken);
                }
                catch (GitHubException e) when (e.IsTransient)
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

    public Task CodeRejectedAsync(string reason, int attemptsLeft, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken)
    {
        if (_details is null || _request is null) return;
        _finished = true;
        await TryUpdateAsync(RequestCommentText.Authenticated(_details, code.SuppliedBy, clock.GetUtcNow(), expiration), cancellationToken);
    }

    public async Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken)
    {
        if (_details is null || _request is null || _finished) return;
        _finished = true;
        await TryUpdateAsync(RequestCommentText.Ended(_details, end, message), cancellationToken);
    }

    /// <returns>The claimed code, or null when the comment is not one to take.</returns>
    private async Task<SuppliedCode?> ConsiderAsync(GitHubComment comment, CancellationToken cancellationToken)
    {
        var command = MfaCommand.Parse(comment.Body);
        if (command.Kind == MfaCommandKind.None) return null;

        // Comment ids grow with time: a smaller id was written before the request, whenever it was edited.
        if (comment.Id < _request!.Id || comment.CreatedAt < _request.CreatedAt)
        {
            log.Info($"Ignored a /mfa comment by @{comment.Login}: it was written before the request (edited later), and only new comments count.");
            return null;
        }
        if (comment.UpdatedAt is { } updated && updated > comment.CreatedAt)
        {
            log.Info($"Ignored a /mfa comment by @{comment.Login}: it was edited, and only unedited new comments count.");
            return null;
        }

        if (command.Kind == MfaCommandKind.Code) return await ClaimAsync(comment, command.Code!, cancellationToken);

        var check = await approvers.CheckAsync(comment.Login, comment.IsBot, cancellationToken);
        if (!check.Allowed)
        {
            log.Info($"Ignored a /mfa comment by @{comment.Login}: {check.Reason}.");
            return null;
        }

        if (command.Kind == MfaCommandKind.Cancel)
        {
            var message = $"Cancelled by @{comment.Login} with /mfa cancel.";
            await WaitEndedAsync(CodeWaitEnd.Cancelled, message, cancellationToken);
            throw new CodeWaitCancelledException(message);
        }

        log.Info($"Ignored a /mfa comment by @{comment.Login}: {command.Reply}");
        if (MfaCommand.MayHoldACode(comment.Body)) await github.DeleteCommentAsync(comment.Id, cancellationToken);
        await github.CreateCommentAsync(_issue, RequestCommentText.Reply(comment.Login, command.Reply!), cancellationToken);
        return null;
    }

    /// <summary>
    /// A code comment is deleted at once, whoever wrote it: that hides the code and claims it (a 404
    /// means another run took it). Whether its writer may supply codes is asked at the same time, so
    /// taking a code costs one round trip after the poll, not two. A code is used only when both
    /// answers say yes; an unauthorized writer's code is just gone.
    /// </summary>
    private async Task<SuppliedCode?> ClaimAsync(GitHubComment comment, MfaCode code, CancellationToken cancellationToken)
    {
        _ = ReactQuietlyAsync(comment.Id, cancellationToken);
        var permission = approvers.CheckAsync(comment.Login, comment.IsBot, cancellationToken);
        bool claimed;
        try
        {
            claimed = await github.DeleteCommentAsync(comment.Id, cancellationToken);
        }
        finally
        {
            // Observe the lookup whatever happened to the claim.
            await permission.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
        if (!claimed)
        {
            log.Info($"The /mfa comment by @{comment.Login} was taken by another run waiting on #{_issue}; still waiting.");
            return null;
        }

        ApproverCheck check;
        try
        {
            check = await permission;
        }
        catch (GitHubException e)
        {
            log.Warning($"Removed @{comment.Login}'s /mfa comment but could not check their permission ({e.Message}); its code is not used. Post a new code.");
            return null;
        }
        if (!check.Allowed)
        {
            log.Info($"Ignored a /mfa comment by @{comment.Login}: {check.Reason} (the comment was removed, so its code is not visible).");
            return null;
        }
        log.Info($"Took the code from @{comment.Login}'s comment (deleted it so the code is no longer visible).");
        return new SuppliedCode(code, comment.Login);
    }

    /// <summary>👀 on the code comment: a courtesy that races its deletion, so it may not land.</summary>
    private async Task ReactQuietlyAsync(long commentId, CancellationToken cancellationToken)
    {
        try { await github.AddEyesReactionAsync(commentId, cancellationToken); }
        catch (Exception e) when (e is GitHubException or OperationCanceledException) { }
    }

    /// <summary>Waits as GitHub asked (Retry-After, rate-limit reset) or with growing backoff; the deadline still rules.</summary>
    private async Task PauseAfterFailureAsync(GitHubException error, int failures, CancellationToken cancellationToken)
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
            catch (GitHubException e) when (e.IsTransient) { await PauseAfterFailureAsync(e, failures, cancellationToken); }
        }
    }

    private async Task TryUpdateAsync(string body, CancellationToken cancellationToken)
    {
        try
        {
            await github.UpdateCommentAsync(_request!.Id, body, cancellationToken);
        }
        catch (GitHubException e)
        {
            log.Warning($"Could not update the request comment on #{_issue}: {e.Message}");
        }
    }
}
