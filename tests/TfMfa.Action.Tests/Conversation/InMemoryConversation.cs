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

    /// <summary>Set to read like Azure DevOps, where every poll counts.</summary>
    public bool ReadsAreCounted { get; set; }

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
            Request = new ConversationComment((++_sequence).ToString(CultureInfo.InvariantCulture), _sequence, text, new ConversationAuthor(Poster, Poster, PosterIsBot), clock.GetUtcNow(), null);
            _ownRequests.Add(Request);
            _requestTexts[Request.Id] = text;
            return Task.FromResult(Request);
        }
    }

    /// <summary>Who this run's requests are posted as: a bot, or the user behind a personal access token.</summary>
    public string Poster { get; set; } = "tfmfa";
    public bool PosterIsBot { get; set; } = true;

    private readonly List<ConversationComment> _ownRequests = [];

    /// <summary>Edits of comments that are not this run's requests (another run's, marked expired).</summary>
    public List<(string Id, string Text)> OtherEdits { get; } = [];

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
            if (_requestTexts.ContainsKey(request.Id))
            {
                Edits.Add(text);
                _requestTexts[request.Id] = text;
            }
            else
            {
                OtherEdits.Add((request.Id, text));
                var index = _comments.FindIndex(c => c.Id == request.Id);
                _comments[index] = _comments[index] with { Body = text, UpdatedAt = clock.GetUtcNow() };
            }
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

    /// <summary>Whether each run has completed; a run not here is still going.</summary>
    public Dictionary<long, bool?> CompletedRuns { get; } = [];

    public List<long> RunReads { get; } = [];

    /// <summary>Another run's request, waiting, posted as <paramref name="poster"/> (the identity this run posts as, unless a test says otherwise).</summary>
    public ConversationComment PostOtherRequest(string id, long runId = 8, DateTimeOffset? deadline = null, string poster = "tfmfa", bool isBot = true)
    {
        var details = new TfMfa.RunLog.RequestDetails(TerraformCommand.Plan, "staging", "arn:aws:iam::123456789012:mfa/ci", "https://ci.example/runs/" + runId, runId, 1,
            new ApproverPolicy(RepoPermission.Write, []), deadline ?? clock.GetUtcNow().AddHours(1), TfMfa.GitHub.GitHubConversation.Wording, RequestId: id);
        return Write(poster, TfMfa.RunLog.RequestCommentText.Waiting(details, null, 3), isBot: isBot);
    }

    /// <summary>The current text of a comment (a request's after its edits).</summary>
    public string TextOf(ConversationComment comment)
    {
        lock (_lock) return _requestTexts.TryGetValue(comment.Id, out var text) ? text : _comments.Single(c => c.Id == comment.Id).Body;
    }

    /// <summary>This run's requests and everyone's comments written by <paramref name="poster"/>, with their current text.</summary>
    public Task<IReadOnlyList<ConversationComment>> CommentsByAsync(ConversationAuthor poster, CancellationToken cancellationToken)
    {
        if (RequestListingFault is { } fault) return Task.FromException<IReadOnlyList<ConversationComment>>(fault);
        lock (_lock)
            return Task.FromResult<IReadOnlyList<ConversationComment>>([..
                _comments.Where(c => c.Author?.Key == poster.Key && !Removed.Contains(c.Id)),
                .. _ownRequests.Where(r => r.Author?.Key == poster.Key).Select(r => r with { Body = _requestTexts[r.Id] })]);
    }

    public Task<string?> CurrentTextAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<string?>(_requestTexts.GetValueOrDefault(request.Id));
    }

    public string WhoEdited => "the test conversation does not say who";

    /// <summary>Someone else edits one of this run's requests (as anyone with write permission can).</summary>
    public void EditRequestAsSomeoneElse(ConversationComment request, string text)
    {
        lock (_lock) _requestTexts[request.Id] = text;
    }

    public Task<bool?> RunCompletedAsync(long runId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            RunReads.Add(runId);
            return Task.FromResult(CompletedRuns.TryGetValue(runId, out var completed) ? completed : false);
        }
    }

    public Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        Concluded = true;
        return Task.CompletedTask;
    }

    public static ConversationException RateLimited(TimeSpan retryAfter) =>
        new("The platform is rate limiting this token", (HttpStatusCode)429, transient: true, retryAfter);
}
