using System.Globalization;
using System.Text.Json;
using TfMfa.Conversation;
using TfMfa.RunLog;
using TfMfa.Trigger;

namespace TfMfa.GitHub;

/// <summary>
/// comment-trigger on GitHub: requests are pull-request comments, the commit status
/// <c>tfmfa/&lt;environment&gt;/&lt;command&gt;</c> shows what waits, a rocket reaction by TfMfa's token on
/// the request is the lock one answering run holds (GitHub answers 201 to the first, 200 to the
/// rest), and the reply that starts an answering run is read from its <c>issue_comment</c> event.
/// </summary>
public sealed class GitHubCommentTrigger(OctokitGitHubApi api, GitHubContext context, GitHubConversation conversation, Approvers approvers, ConversationComment? answer) : ICommentTrigger
{
    public ConversationComment? Answer => answer;

    public IConversation Conversation => conversation;

    public Approvers Approvers => approvers;

    public RequestWording Wording => GitHubConversation.Wording;

    public TriggerRun Run => new(context.RunId, context.RunAttempt, context.RunUrl);

    public string RunUrl(long runId) => $"{context.ServerUrl.TrimEnd('/')}/{context.FullName}/actions/runs/{runId.ToString(CultureInfo.InvariantCulture)}";

    public async Task<IReadOnlyList<ConversationComment>> RequestsAsync(CancellationToken cancellationToken)
    {
        var issue = await conversation.FindIssueAsync(cancellationToken);
        // TfMfa's token posts as an app (github-actions[bot] for GITHUB_TOKEN): anyone else's look-alike is no request.
        return [.. (await api.ListCommentsAsync(issue, DateTimeOffset.UnixEpoch, cancellationToken))
            .Where(c => c.IsBot && c.Body.Contains(RequestCommentText.MarkerPrefix, StringComparison.Ordinal))
            .Select(GitHubConversation.ToComment)];
    }

    public async Task<string> PullRequestHeadAsync(CancellationToken cancellationToken) =>
        (await api.GetPullRequestAsync(await conversation.FindIssueAsync(cancellationToken), cancellationToken)).HeadSha
        ?? throw new TfMfaException("GitHub did not say which commit the pull request's head is, so no code is used (fail closed). Run the job again.");

    public string Link(ConversationComment request) =>
        $"{context.ServerUrl.TrimEnd('/')}/{context.FullName}/pull/{conversation.Where.TrimStart('#')}#issuecomment-{request.Id}";

    public Task SetStatusAsync(string sha, string context, TriggerState state, string description, string? url, CancellationToken cancellationToken) =>
        api.SetCommitStatusAsync(sha, state switch
        {
            TriggerState.Pending => CommitStatusState.Pending,
            TriggerState.Success => CommitStatusState.Success,
            TriggerState.Failure => CommitStatusState.Failure,
            _ => CommitStatusState.Error,
        }, context, description, url, cancellationToken);

    public Task<long?> TryLockAsync(ConversationComment request, CancellationToken cancellationToken) =>
        api.TryLockCommentAsync(long.Parse(request.Id, CultureInfo.InvariantCulture), cancellationToken);

    public Task UnlockAsync(ConversationComment request, long lockId, CancellationToken cancellationToken) =>
        api.UnlockCommentAsync(long.Parse(request.Id, CultureInfo.InvariantCulture), lockId, cancellationToken);

    /// <summary>A first line that starts with <c>/mfa</c> (<c>/mfa123456</c>, <c>/mfax</c>) is an attempt at an answer, never a run that asks.</summary>
    private static bool LooksLikeMfa(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.TrimStart().StartsWith("/mfa", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// The reply an <c>issue_comment</c> event carries when a <c>/mfa</c> comment was created on a pull
    /// request, as GitHub wrote it into the event payload (disguised commands included, so the rules
    /// refuse them); null for any other event or comment (then the run is the one that asks).
    /// </summary>
    public static ConversationComment? ReadAnswer(string eventName, string? eventPath)
    {
        if (eventName != "issue_comment" || eventPath is null || !File.Exists(eventPath)) return null;
        using var document = JsonDocument.Parse(File.ReadAllBytes(eventPath));
        var root = document.RootElement;
        if (!root.TryGetProperty("action", out var action) || action.GetString() != "created") return null;
        if (!root.TryGetProperty("issue", out var issue) || !issue.TryGetProperty("pull_request", out var pull) || pull.ValueKind != JsonValueKind.Object) return null;
        if (!root.TryGetProperty("comment", out var comment) || comment.ValueKind != JsonValueKind.Object) return null;
        // Any other comment (an "/apply" that starts an apply job) makes this the run that asks.
        var text = comment.TryGetProperty("body", out var body) ? body.GetString() ?? "" : "";
        if (Codes.MfaCommand.Parse(text).Kind == Codes.MfaCommandKind.None && !LooksLikeMfa(text)) return null;
        var id = comment.GetProperty("id").GetInt64();
        var user = comment.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
        var login = user.ValueKind == JsonValueKind.Object && user.TryGetProperty("login", out var l) ? l.GetString() : null;
        var isBot = user.ValueKind == JsonValueKind.Object && user.TryGetProperty("type", out var type) && type.GetString() == "Bot";
        var created = comment.GetProperty("created_at").GetDateTimeOffset();
        DateTimeOffset? updated = comment.TryGetProperty("updated_at", out var up) && up.ValueKind == JsonValueKind.String ? up.GetDateTimeOffset() : null;
        return new ConversationComment(id.ToString(CultureInfo.InvariantCulture), id, text,
            login is { Length: > 0 } ? new ConversationAuthor(login, login, isBot || login.EndsWith("[bot]", StringComparison.Ordinal)) : null,
            created, updated);
    }
}
