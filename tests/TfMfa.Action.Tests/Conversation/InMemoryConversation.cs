using System.Globalization;
using System.Net;
using TfMfa.Config;
using TfMfa.Conversation;

namespace TfMfa.Tests.Conversation;

/// <summary>
/// A conversation held in memory: what people write, what the core does to it, and faults on
/// demand. Claims behave as on a real platform: of two claims on one comment, only the first wins.
/// </summary>
internal sealed class InMemoryConversation(TimeProvider clock, Dictionary<string, RepoPermission> roles) : IConversation
{
    private readonly Lock _lock = new();
    private readonly List<ConversationComment> _comments = [];
    private readonly HashSet<string> _claimed = [];
    private long _sequence;

    public string Platform => "Memory";
    public string Where => "the test conversation";
    public string Mention(string name) => "~" + name;

    public ConversationComment? Request { get; private set; }
    public List<string> Edits { get; } = [];
    public List<string> Replies { get; } = [];
    public List<string> Removed { get; } = [];
    public List<string> Claims { get; } = [];
    public List<string> PermissionReads { get; } = [];
    public List<DateTimeOffset> Polls { get; } = [];
    public bool Concluded { get; private set; }

    /// <summary>Faults the next polls answer with, in turn.</summary>
    public Queue<ConversationException> PollFaults { get; } = new();

    /// <summary>Comments another run claims first, as if it had got there a moment earlier.</summary>
    public HashSet<string> TakenByAnotherRun { get; } = [];

    public ConversationComment Write(string? author, string body, DateTimeOffset? at = null, bool isBot = false)
    {
        lock (_lock)
        {
            var comment = new ConversationComment((++_sequence).ToString(CultureInfo.InvariantCulture), _sequence, body,
                author is null ? null : new ConversationAuthor(author, author, isBot), at ?? clock.GetUtcNow(), null);
            _comments.Add(comment);
            return comment;
        }
    }

    public void Edit(ConversationComment comment, string body)
    {
        lock (_lock)
        {
            var index = _comments.FindIndex(c => c.Id == comment.Id);
            _comments[index] = comment with { Body = body, UpdatedAt = clock.GetUtcNow() };
        }
    }

    public Task<ConversationComment> PostRequestAsync(string text, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Request = new ConversationComment((++_sequence).ToString(CultureInfo.InvariantCulture), _sequence, text, new ConversationAuthor("tfmfa", "tfmfa", true), clock.GetUtcNow(), null);
            _requestTexts[Request.Id] = text;
            return Task.FromResult(Request);
        }
    }

    /// <summary>Every request posted here and its current text, by comment id.</summary>
    private readonly Dictionary<string, string> _requestTexts = [];

    /// <summary>The platform refuses edits (the request keeps its text).</summary>
    public bool RefusesEdits { get; set; }

    public Task<IReadOnlyList<ConversationComment>> CommentsSinceAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Polls.Add(clock.GetUtcNow());
            if (PollFaults.TryDequeue(out var fault)) return Task.FromException<IReadOnlyList<ConversationComment>>(fault);
            // Like GitHub's since=: everything updated since, earlier comments included when edited after it.
            IReadOnlyList<ConversationComment> visible = [.. _comments.Where(c => !Removed.Contains(c.Id) && (c.UpdatedAt ?? c.CreatedAt) >= request.CreatedAt)];
            return Task.FromResult(visible);
        }
    }

    public Task<ClaimOutcome> ClaimAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Claims.Add(comment.Id);
            var won = !TakenByAnotherRun.Contains(comment.Id) && _claimed.Add(comment.Id);
            if (won) Removed.Add(comment.Id);
            return Task.FromResult(new ClaimOutcome(won));
        }
    }

    /// <summary>The platform refuses to remove other people's comments (as an Azure DevOps organisation may).</summary>
    public bool RefusesRemovals { get; set; }

    public Task RemoveAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        if (RefusesRemovals)
            return Task.FromException(new ConversationException("403: may not delete another person's comment", HttpStatusCode.Forbidden, transient: false, null));
        lock (_lock) Removed.Add(comment.Id);
        return Task.CompletedTask;
    }

    public Task EditRequestAsync(ConversationComment request, string text, CancellationToken cancellationToken)
    {
        if (RefusesEdits)
            return Task.FromException(new ConversationException("403: may not edit", HttpStatusCode.Forbidden, transient: false, null));
        lock (_lock)
        {
            Edits.Add(text);
            _requestTexts[request.Id] = text;
        }
        return Task.CompletedTask;
    }

    public Task ReplyAsync(ConversationComment to, string text, CancellationToken cancellationToken)
    {
        lock (_lock) Replies.Add(text);
        return Task.CompletedTask;
    }

    public Task AcknowledgeAsync(ConversationComment comment, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<RepoPermission?> PermissionAsync(ConversationAuthor author, CancellationToken cancellationToken)
    {
        lock (_lock) PermissionReads.Add(author.Key);
        return Task.FromResult<RepoPermission?>(roles.TryGetValue(author.Key, out var role) ? role : null);
    }

    /// <summary>What listing the requests answers instead of the list, when set.</summary>
    public ConversationException? RequestListingFault { get; set; }

    /// <summary>Requests other runs have open here, by id.</summary>
    public List<string> OtherRequests { get; } = [];

    /// <summary>Other runs' requests, and every request posted here that still reads as waiting and is not among <paramref name="ours"/>.</summary>
    public Task<IReadOnlyList<string>> OtherOpenRequestsAsync(IReadOnlyCollection<ConversationComment> ours, CancellationToken cancellationToken)
    {
        if (RequestListingFault is { } fault) return Task.FromException<IReadOnlyList<string>>(fault);
        lock (_lock)
            return Task.FromResult<IReadOnlyList<string>>([.. OtherRequests,
                .. _requestTexts.Where(r => ours.All(o => o.Id != r.Key) && TfMfa.RunLog.RequestCommentText.IsWaiting(r.Value))
                    .Select(r => TfMfa.RunLog.RequestCommentText.IdInMarker(r.Value) ?? "?")]);
    }

    public Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        Concluded = true;
        return Task.CompletedTask;
    }

    public static ConversationException RateLimited(TimeSpan retryAfter) =>
        new("The platform is rate limiting this token", (HttpStatusCode)429, transient: true, retryAfter);
}
