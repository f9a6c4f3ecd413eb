using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.Trigger;

/// <summary>What a commit status says about a request: waiting, done, failed, or refused.</summary>
public enum TriggerState { Pending, Success, Failure, Error }

/// <param name="Url">The run's page, for the requests it posts.</param>
public sealed record TriggerRun(long Id, int Attempt, string Url);

/// <summary>
/// The comment-trigger mode's seam to a platform: no job waits for a person. A run that needs a
/// code posts a durable request, marks the commit pending and ends; the <c>/mfa</c> reply starts
/// another run, which finds the request, holds the reply to every rule, and runs what the request
/// showed. Only GitHub offers it (a workflow on <c>issue_comment</c>); see docs/architecture.md.
/// </summary>
public interface ICommentTrigger
{
    /// <summary>The <c>/mfa</c> comment whose event started this run, or null when this run is the one that asks.</summary>
    ConversationComment? Answer { get; }

    /// <summary>The pull request's conversation: post, edit, reply, claim by delete, read back.</summary>
    IConversation Conversation { get; }

    Approvers Approvers { get; }

    RequestWording Wording { get; }

    TriggerRun Run { get; }

    /// <summary>The page of the run that posted a request (its marker names the run's id).</summary>
    string RunUrl(long runId);

    /// <summary>Every TfMfa request on the pull request: comments with a request marker, posted by an app or bot account (as TfMfa's token posts).</summary>
    Task<IReadOnlyList<ConversationComment>> RequestsAsync(CancellationToken cancellationToken);

    /// <summary>The pull request's head commit now.</summary>
    Task<string> PullRequestHeadAsync(CancellationToken cancellationToken);

    /// <summary>A request's own page, for the commit status's link.</summary>
    string Link(ConversationComment request);

    /// <summary>Sets the commit status <paramref name="context"/> on <paramref name="sha"/>.</summary>
    Task SetStatusAsync(string sha, string context, TriggerState state, string description, string? url, CancellationToken cancellationToken);

    /// <summary>Takes the request for this run alone while it answers; null when another run holds it.</summary>
    Task<long?> TryLockAsync(ConversationComment request, CancellationToken cancellationToken);

    Task UnlockAsync(ConversationComment request, long lockId, CancellationToken cancellationToken);
}
