using System.Net;
using TfMfa.Config;

namespace TfMfa.Conversation;

/// <summary>Who wrote a comment, as the conversation knows them.</summary>
/// <param name="Key">What identifies them to the platform (a GitHub login; an Azure DevOps identity id): permissions are looked up and cached by it.</param>
/// <param name="Name">What people and approvers.users call them (a GitHub login; an Azure DevOps uniqueName).</param>
public sealed record ConversationAuthor(string Key, string Name, bool IsBot);

/// <param name="Id">Opaque to the core: the conversation's own address of the comment (on Azure DevOps, thread and comment).</param>
/// <param name="Sequence">A number the platform gives comments in the order they were written, where it has one (GitHub's ids); else null.</param>
/// <param name="Author">Null when the account was deleted: nobody can tell who wrote it.</param>
/// <param name="UpdatedAt">When its text last changed, if after it was written.</param>
public sealed record ConversationComment(string Id, long? Sequence, string Body, ConversationAuthor? Author, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

/// <param name="Won">True when this run, and no other, took the code.</param>
/// <param name="StillVisible">Why the code could not be hidden (it stays visible until it expires), or null when it was removed.</param>
public sealed record ClaimOutcome(bool Won, string? StillVisible = null);

/// <summary>
/// The narrow seam between the core's wait for a <c>/mfa</c> comment and a platform's discussion
/// (a GitHub pull request's comments, an Azure Repos pull request's threads). The wait loop, its
/// pacing, the parser and every rule about which comment counts live in
/// <see cref="ConversationRequest"/> and <see cref="CommentRules"/>; a conversation only moves comments. Failures surface as
/// <see cref="ConversationException"/>.
/// </summary>
public interface IConversation
{
    /// <summary>The platform's name for log lines ("GitHub", "Azure DevOps").</summary>
    string Platform { get; }

    /// <summary>Where the request is, for log lines ("#12", "pull request 12").</summary>
    string Where { get; }

    /// <summary>
    /// Whether every read of the comments counts against the token's budget (Azure DevOps: no ETags,
    /// each list is a full read), so a long wait reads less often (<see cref="PollSchedule"/>); false
    /// where an unchanged read is free (GitHub's 304).
    /// </summary>
    bool ReadsAreCounted { get; }

    /// <summary>How a reply addresses someone ("@alice"; an Azure DevOps uniqueName as it is).</summary>
    string Mention(string name);

    /// <summary>Posts the request (finding where to post it first) and returns it.</summary>
    Task<ConversationComment> PostRequestAsync(string text, CancellationToken cancellationToken);

    /// <summary>Comments that may have been written after <paramref name="request"/>, oldest first; never the run's own.</summary>
    Task<IReadOnlyList<ConversationComment>> CommentsSinceAsync(ConversationComment request, CancellationToken cancellationToken);

    /// <summary>Takes a code comment so that of two runs waiting at once, exactly one wins.</summary>
    Task<ClaimOutcome> ClaimAsync(ConversationComment comment, CancellationToken cancellationToken);

    /// <summary>Hides a comment that cannot count, so its code is not visible.</summary>
    Task RemoveAsync(ConversationComment comment, CancellationToken cancellationToken);

    Task EditRequestAsync(ConversationComment request, string text, CancellationToken cancellationToken);

    Task ReplyAsync(ConversationComment to, string text, CancellationToken cancellationToken);

    /// <summary>A courtesy sign that a comment was seen (👀); may be a no-op.</summary>
    Task AcknowledgeAsync(ConversationComment comment, CancellationToken cancellationToken);

    /// <summary>
    /// Every comment here written by <paramref name="poster"/>, with its current text: TfMfa's requests
    /// are the ones among them that carry its marker. <paramref name="poster"/> is whoever this run's
    /// own request was posted as (a bot, or the user behind a personal access token), so requests are
    /// known by the token's identity, never by an account type. A platform with threads leaves out
    /// closed ones (a concluded request closes its thread).
    /// </summary>
    Task<IReadOnlyList<ConversationComment>> CommentsByAsync(ConversationAuthor poster, CancellationToken cancellationToken);

    /// <summary>Whether the run (workflow run, build) with this id has completed; null when this token may not read it.</summary>
    Task<bool?> RunCompletedAsync(long runId, CancellationToken cancellationToken);

    /// <summary>The request's text as the platform holds it now, or null when it was deleted.</summary>
    Task<string?> CurrentTextAsync(ConversationComment request, CancellationToken cancellationToken);

    /// <summary>Who edited a comment, in words, as far as the platform says (GitHub's REST API and Azure DevOps do not).</summary>
    string WhoEdited { get; }

    /// <summary>The wait is over, whichever way it ended: a platform with threads resolves the request's.</summary>
    Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken);
}

/// <summary>What a platform answered, in words, and whether waiting and asking again may help.</summary>
public class ConversationException(string message, HttpStatusCode? status, bool transient, TimeSpan? retryAfter, Exception? inner = null)
    : TfMfaException(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>5xx, a dropped connection, a timeout, or a rate limit: worth waiting for.</summary>
    public bool IsTransient { get; } = transient;

    /// <summary>How long the platform asked us to wait (Retry-After, or until the rate limit resets).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
