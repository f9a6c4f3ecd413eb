using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>A TfMfa request found on the conversation, and whether it still waits for a code.</summary>
/// <param name="Expired">Why a request that still reads as waiting is no longer open (its deadline passed, its run ended), or null when it is open.</param>
public sealed record JudgedRequest(ConversationComment Comment, RequestMarker Marker, string? Expired)
{
    public bool IsOpen => Expired is null;
}

/// <summary>
/// Which requests on a conversation are open, decided from what the platform shows: a request is
/// open while its text waits for a code, its deadline has not passed and its run has not completed.
/// A run that died without its last edit (runner lost, job killed) leaves a request that reads as
/// waiting for good; without this, it would make every bare code on the pull request be refused.
/// </summary>
public static class OpenRequests
{
    /// <param name="posted">Comments by the identity that posts this run's requests.</param>
    /// <param name="ours">This run's own requests (comment ids), which are never another open request.</param>
    /// <param name="runCompleted">Whether a run has completed: true, false, or null when the platform does not say.</param>
    public static IReadOnlyList<JudgedRequest> Judge(IEnumerable<ConversationComment> posted, IReadOnlyCollection<string> ours, DateTimeOffset now,
        Func<long, bool?> runCompleted) =>
        [.. posted
            .Where(c => !ours.Contains(c.Id) && RequestCommentText.IsWaiting(c.Body))
            .Select(c => (Comment: c, Marker: RequestMarker.Parse(c.Body)))
            .Where(x => x.Marker is not null)
            .Select(x => new JudgedRequest(x.Comment, x.Marker!,
                x.Marker!.Deadline is { } deadline && deadline <= now ? $"its deadline ({deadline.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC) has passed"
                // A comment-trigger request outlives the run that posted it: only its deadline ends it.
                : x.Marker.RunId is { } run && Trigger.TriggerFacts.Parse(x.Comment.Body) is null && runCompleted(run) == true ? $"its run ({run}) has completed"
                : null))];

    /// <summary>The text a later run leaves on a request that no longer waits: the marker stays (it is still TfMfa's), the call for a code goes.</summary>
    public static string ExpiredText(string body, string why)
    {
        var marker = string.Join('\n', body.Replace("\r\n", "\n").Split('\n').TakeWhile(l => l.StartsWith("<!-- tfmfa:", StringComparison.Ordinal)));
        return $"""
            {marker}
            ### ⌛ This MFA request expired: no code is taken for it

            It no longer waits: {why}. A later TfMfa run on this pull request marked it so.
            """;
    }
}
