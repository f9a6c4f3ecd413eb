using System.Net;
using Octokit;

namespace TfMfa.GitHub;

/// <summary>The calls of the comment-trigger mode: commit statuses, and the rocket that locks a request for one run.</summary>
public sealed partial class OctokitGitHubApi
{
    /// <summary>The most characters GitHub takes in a commit status's description; a longer one is refused (422).</summary>
    public const int StatusDescriptionLimit = 140;

    /// <summary>Sets the commit status <paramref name="context"/> on <paramref name="sha"/>; a description over 140 characters is cut to fit.</summary>
    public Task SetCommitStatusAsync(string sha, CommitStatusState state, string context, string description, string? targetUrl, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"set the commit status {context} on {sha}", async () => await _client.Repository.Status.Create(_owner, _name, sha, new NewCommitStatus
        {
            State = state switch { CommitStatusState.Pending => CommitState.Pending, CommitStatusState.Success => CommitState.Success, CommitStatusState.Failure => CommitState.Failure, _ => CommitState.Error },
            Context = context, Description = FitStatusDescription(description), TargetUrl = targetUrl,
        }), permissions: "statuses: write");

    /// <summary>The description as GitHub takes it: over the limit, cut with an ellipsis, never between the halves of a surrogate pair.</summary>
    public static string FitStatusDescription(string description)
    {
        if (description.Length <= StatusDescriptionLimit) return description;
        var cut = StatusDescriptionLimit - 1;
        if (char.IsHighSurrogate(description[cut - 1])) cut--;
        return string.Concat(description.AsSpan(0, cut), "…");
    }

    /// <summary>Claims a comment with this identity's rocket: the reaction's id when GitHub created it (201), null when it existed already (200: another run holds the lock).</summary>
    public Task<long?> TryLockCommentAsync(long commentId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"lock comment {commentId} with a rocket reaction", async () =>
        {
            // The typed reaction client hides the status code, and 200 against 201 is the whole answer here.
            var response = await _client.Connection.Post<Reaction>(CommentReactions(commentId), new NewReaction(ReactionType.Rocket),
                "application/vnd.github+json", "application/json", cancellationToken: cancellationToken);
            return response.HttpResponse.StatusCode == HttpStatusCode.Created ? response.Body.Id : (long?)null;
        });

    /// <summary>Removes the lock's reaction; one already gone (404) is no error.</summary>
    public Task UnlockCommentAsync(long commentId, long reactionId, CancellationToken cancellationToken) =>
        Call(cancellationToken, $"remove reaction {reactionId} from comment {commentId}", async () =>
        {
            try { await _client.Reaction.IssueComment.Delete(_owner, _name, commentId, reactionId); }
            catch (NotFoundException) { }
            return 0;
        });
}
