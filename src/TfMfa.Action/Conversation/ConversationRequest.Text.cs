using TfMfa.Codes;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>The request's text: posted, edited as attempts fail, kept unique by id, checked for rewrites, concluded.</summary>
public sealed partial class ConversationRequest
{
    private ConversationComment? _posted;
    private RequestDetails? _details;
    private string? _id;
    private string? _lastFailure;
    private int _attemptsLeft;
    private bool _closed;

    /// <summary>When the request was first posted: how fresh it is decides how often it is read (<see cref="PollSchedule"/>).</summary>
    private long _askedAt;

    /// <summary>The text TfMfa last wrote into the request (a failed edit leaves the earlier text in place).</summary>
    private string? _written;

    /// <summary>Posts the request when first asked; later attempts edit it to show why the last code failed.</summary>
    private async Task ShowAsync(string? lastFailure, int attemptsLeft, CancellationToken cancellationToken)
    {
        var asking = _posted is null;
        // A new request draws a new id; an edited one keeps its own.
        if (asking) _id = RequestIds.New([]);
        _details = channel.Describe(request) with { RequestId = _id };
        (_lastFailure, _attemptsLeft) = (lastFailure, attemptsLeft);
        var text = RequestCommentText.Waiting(_details, lastFailure, attemptsLeft);
        if (asking)
        {
            _posted = await channel.PostAsync(text, cancellationToken);
            _written = text;
            _askedAt = channel.Clock.GetTimestamp();
            Log.Info($"🔒 Asked for an MFA code on {Conversation.Where}; waiting until {_details.Deadline.UtcDateTime:HH:mm:ss} UTC for a '/mfa 123456' comment.");
            // Whether another open request has the drawn id is checked when a code names it, not here: a random id clashes
            // about once in 280,000 draws, and a read of the whole thread now would cost every run a counted request in its first minute for that.
        }
        else if (lastFailure is not null)
        {
            await TryUpdateAsync(text, cancellationToken);
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
            others = await channel.WithRetriesAsync(() => channel.OtherOpenRequestsAsync(cancellationToken), cancellationToken);
        }
        catch (ConversationException e)
        {
            // A clash is still caught when a code names the id: such a code is taken by none.
            Log.Warning($"Could not list the other open requests on {Conversation.Where} to check that request `{_id}` is the only one with its id: {e.Message}");
            return;
        }
        if (!others.Contains(_id!)) return;
        var taken = _id;
        _id = RequestIds.New([.. others]);
        _details = _details! with { RequestId = _id };
        Log.Info($"Another open request on {Conversation.Where} has the id `{taken}`; this request is now `{_id}`.");
        await TryUpdateAsync(RequestCommentText.Waiting(_details, _lastFailure, _attemptsLeft), cancellationToken);
    }

    private async Task TryUpdateAsync(string body, CancellationToken cancellationToken)
    {
        try
        {
            await Conversation.EditRequestAsync(_posted!, body, cancellationToken);
            _written = body;
        }
        catch (ConversationException e)
        {
            Log.Warning($"Could not update the request on {Conversation.Where}: {e.Message}");
        }
    }

    /// <summary>
    /// Why the request's text is no longer exactly what TfMfa last wrote, or null while it is. Anyone
    /// with write permission can edit a comment (every workflow's GITHUB_TOKEN edits as
    /// github-actions[bot]; on Azure DevOps every pipeline's job token is the same build identity), so
    /// an edited request may show a harmless plan while the run applies another: its codes never count.
    /// Checked when a code is claimed, and by the gate again just before terraform runs with the session.
    /// </summary>
    public async Task<string?> RewrittenAsync(CancellationToken cancellationToken)
    {
        if (_posted is null || _written is null) return null;
        var current = await Conversation.CurrentTextAsync(_posted, cancellationToken);
        if (current is null) return $"the request on {Conversation.Where} was deleted";
        return Normalized(current) == Normalized(_written)
            ? null
            : $"the request on {Conversation.Where} was edited by someone other than TfMfa ({Conversation.WhoEdited})";
    }

    private static string Normalized(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    /// <summary>
    /// An edited request is never trusted again: it is overwritten to say so (its marker stays, so it is
    /// not open), and a fresh request with a new id asks for a code anew.
    /// </summary>
    private async Task ReplaceRewrittenRequestAsync(string why, CancellationToken cancellationToken)
    {
        var old = _posted!;
        var oldId = _id!;
        Log.Warning($"Refused the code: {why}. A code counts only while the request says exactly what TfMfa wrote; posting a new request.");
        try
        {
            await Conversation.EditRequestAsync(old, $"{RequestCommentText.Marker(_details!)}\n### ⚠️ This request was changed by someone other than TfMfa: no code is taken for it\n\n" +
                $"{char.ToUpperInvariant(why[0])}{why[1..]}. A new request replaces it; send your code there.", cancellationToken);
            await Conversation.ConcludeAsync(old, cancellationToken);
        }
        catch (ConversationException e) { Log.Warning($"Could not mark the edited request `{oldId}`: {e.Message}"); }
        _id = RequestIds.New([oldId]);
        _details = _details! with { RequestId = _id };
        var text = RequestCommentText.Waiting(_details, $"Request `{oldId}` was changed by someone other than TfMfa ({Conversation.WhoEdited}), so its codes were refused. This request replaces it.", _attemptsLeft);
        _posted = await channel.PostAsync(text, cancellationToken);
        _written = text;
        Log.Info($"🔒 Asked again with request `{_id}` on {Conversation.Where}.");
    }

    /// <summary>The request's final text (🔓, or why the wait ended), then the thread is concluded. Once.</summary>
    public async Task CloseAsync(Outcome outcome, CancellationToken cancellationToken)
    {
        if (_details is null || _posted is null || _closed) return;
        _closed = true;
        await TryUpdateAsync(outcome switch
        {
            Outcome.Authenticated authenticated => RequestCommentText.Authenticated(_details, authenticated.Code.SuppliedBy, channel.Clock.GetUtcNow(), authenticated.Expiration, authenticated.Code.Device),
            Outcome.Ended ended => RequestCommentText.Ended(_details, ended.End, ended.Message),
            _ => throw new InvalidOperationException($"No text for {outcome}."),
        }, cancellationToken);
        try { await Conversation.ConcludeAsync(_posted, cancellationToken); }
        catch (ConversationException e) { Log.Warning($"Could not close the request on {Conversation.Where}: {e.Message}"); }
        await channel.RemovalsDoneAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
