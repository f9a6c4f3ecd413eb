using System.Globalization;
using System.Net;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.AzurePipelines;

/// <summary>
/// An Azure Repos pull request's threads as the conversation. The request is a new thread; every
/// poll lists all threads (this API has no ETags), and a comment is addressed as (thread, comment),
/// since comment ids restart in each thread. Only text comments that are not deleted count, and
/// never the task's own identity's.
/// <para>
/// The claim cannot rest on DELETE: whether the build identity may delete another person's comment
/// depends on the organisation, and a soft-deleted comment may be deleted again. Instead each run
/// replies to the code comment with a claim marker and reads the thread back: comment ids within a
/// thread are handed out in order, so the claim with the lowest id wins, and every run sees the
/// same winner. Only claims by the task's own identity count, so nobody can forge one.
/// </para>
/// </summary>
public sealed class AzureThreadConversation(AzureReposApi api, Func<CancellationToken, Task<int>> findPullRequest, string runKey, string runUrl) : IConversation
{
    /// <summary>How a request on Azure DevOps speaks: pipeline runs, names as they are, and comments deleted only where the build identity may.</summary>
    public static readonly RequestWording Wording = new("pipeline run", "",
        "TfMfa deletes the comment once it is read where Azure DevOps lets the build identity do so; otherwise the code stays visible until it expires (30 seconds), and no other run can use it.");

    private const string ClaimMarker = "<!-- tfmfa:claim ";
    private int _pullRequest;
    private string? _self;

    public string Platform => "Azure DevOps";

    public string Where => $"pull request {_pullRequest.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A uniqueName as it is: Azure Repos markdown mentions need the identity's id, and the name reads better in logs.</summary>
    public string Mention(string name) => name;

    /// <summary>The threads API has no ETags: every poll lists every thread and counts against the build identity's TSTUs.</summary>
    public bool ReadsAreCounted => true;

    private async Task<string> SelfAsync(CancellationToken cancellationToken) =>
        _self ??= (await api.ConnectionDataAsync(cancellationToken)).AuthenticatedUser?.Id
                  ?? throw new AzureDevOpsException("Azure DevOps' connectionData names no authenticated user for the job's token", null, false, null);

    /// <summary>The id of the request this run waits on, as its last text says (claims name it).</summary>
    private string? _requestId;
    private string? _requestCommentId;

    private static string? ClaimedRequest(string content)
    {
        var start = content.IndexOf(" request=", StringComparison.Ordinal);
        return start < 0 ? null : content[(start + " request=".Length)..].Split(' ')[0];
    }

    public async Task<ConversationComment> PostRequestAsync(string text, CancellationToken cancellationToken)
    {
        _requestId = RunLog.RequestCommentText.IdInMarker(text);
        await SelfAsync(cancellationToken);
        if (_pullRequest == 0) _pullRequest = await findPullRequest(cancellationToken);
        var thread = await api.CreateThreadAsync(_pullRequest, text, cancellationToken);
        var first = thread.Comments?.FirstOrDefault() ?? throw new AzureDevOpsException($"Azure DevOps created thread {thread.Id} with no comment", null, false, null);
        var posted = ToComment(thread.Id, first) ?? throw new AzureDevOpsException($"Azure DevOps answered thread {thread.Id} without a publish date", null, false, null);
        _requestCommentId = posted.Id;
        return posted;
    }

    public async Task<IReadOnlyList<ConversationComment>> CommentsSinceAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        var self = await SelfAsync(cancellationToken);
        var threads = await api.ThreadsAsync(_pullRequest, cancellationToken);
        return [.. threads
            .Where(t => t.IsDeleted != true)
            .SelectMany(t => (t.Comments ?? []).Select(c => (Thread: t.Id, Comment: c)))
            .Where(x => x.Comment.IsDeleted != true
                        && string.Equals(x.Comment.CommentType, "text", StringComparison.OrdinalIgnoreCase)
                        && !string.Equals(x.Comment.Author?.Id, self, StringComparison.OrdinalIgnoreCase)
                        && (x.Comment.LastContentUpdatedDate ?? x.Comment.PublishedDate) >= request.CreatedAt)
            .Select(x => ToComment(x.Thread, x.Comment))
            .OfType<ConversationComment>()
            .OrderBy(c => c.CreatedAt)];
    }

    public async Task<ClaimOutcome> ClaimAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        var (thread, id) = Address(comment);
        var self = await SelfAsync(cancellationToken);
        var marker = $"{ClaimMarker}comment={thread}.{id} request={_requestId} run={runKey} nonce={Guid.NewGuid():N} -->";
        var mine = await api.CreateCommentAsync(_pullRequest, thread, id,
            $"🔐 This code was taken by [a TfMfa run]({runUrl}); no other run uses it.\n{marker}", cancellationToken);

        // Every pipeline's job token is the same build identity, so a claim reply can be forged. One counts only when it names
        // the request the code comment addresses (a bare code is taken only by the one open request, so no other request's
        // claim counts), and a claim naming this run's request that this run did not write is a forgery.
        var addressed = Codes.MfaCommand.Parse(comment.Body).RequestId;
        var claims = (await api.CommentsAsync(_pullRequest, thread, cancellationToken))
            .Where(c => string.Equals(c.Author?.Id, self, StringComparison.OrdinalIgnoreCase)
                        && c.Content?.Contains($"{ClaimMarker}comment={thread}.{id} ", StringComparison.Ordinal) == true
                        && ClaimedRequest(c.Content) is { } claimed && claimed != _requestId && claimed == addressed)
            .Select(c => c.Id)
            .Append(mine.Id);
        if (claims.Min() != mine.Id) return new ClaimOutcome(false);

        try
        {
            await api.DeleteCommentAsync(_pullRequest, thread, id, cancellationToken);
            return new ClaimOutcome(true);
        }
        catch (AzureDevOpsException e) when (e.Status is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return new ClaimOutcome(true, "Azure DevOps does not let the build identity delete another person's comment (" + (int)e.Status! + ")");
        }
    }

    public Task RemoveAsync(ConversationComment comment, CancellationToken cancellationToken)
    {
        var (thread, id) = Address(comment);
        return api.DeleteCommentAsync(_pullRequest, thread, id, cancellationToken);
    }

    public Task EditRequestAsync(ConversationComment request, string text, CancellationToken cancellationToken)
    {
        var (thread, id) = Address(request);
        // This run's request may draw a new id (a clash); another run's request marked expired does not change ours.
        if (request.Id == _requestCommentId) _requestId = RunLog.RequestCommentText.IdInMarker(text) ?? _requestId;
        return api.UpdateCommentAsync(_pullRequest, thread, id, text, cancellationToken);
    }

    public Task ReplyAsync(ConversationComment to, string text, CancellationToken cancellationToken)
    {
        var (thread, id) = Address(to);
        return api.CreateCommentAsync(_pullRequest, thread, id, text, cancellationToken);
    }

    /// <summary>The claim reply says the code was seen; nothing more to do.</summary>
    public Task AcknowledgeAsync(ConversationComment comment, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The first comments of threads that are not closed (a concluded request closes its thread), written by <paramref name="poster"/>.</summary>
    public async Task<IReadOnlyList<ConversationComment>> CommentsByAsync(ConversationAuthor poster, CancellationToken cancellationToken) =>
        [.. (await api.ThreadsAsync(_pullRequest, cancellationToken))
            .Where(t => t.IsDeleted != true && !string.Equals(t.Status, "closed", StringComparison.OrdinalIgnoreCase)
                        && t.Comments is [var first, ..] && first.IsDeleted != true && string.Equals(first.Author?.Id, poster.Key, StringComparison.OrdinalIgnoreCase))
            .Select(t => ToComment(t.Id, t.Comments![0]))
            .OfType<ConversationComment>()];

    /// <summary><c>GET _apis/build/builds/{id}</c>: completed, or not; null when the build identity may not read it.</summary>
    public async Task<bool?> RunCompletedAsync(long runId, CancellationToken cancellationToken)
    {
        try
        {
            return await api.BuildStatusAsync(runId, cancellationToken) is { } status ? string.Equals(status, "completed", StringComparison.OrdinalIgnoreCase) : null;
        }
        catch (AzureDevOpsException e) when (e.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return null;
        }
    }

    public async Task<string?> CurrentTextAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        var (thread, id) = Address(request);
        var comment = (await api.CommentsAsync(_pullRequest, thread, cancellationToken)).FirstOrDefault(c => c.Id == id);
        return comment is null || comment.IsDeleted == true ? null : comment.Content ?? "";
    }

    /// <summary>Only a comment's author may edit it, and the request's author is the build identity that every pipeline's job token shares.</summary>
    public string WhoEdited => "Azure DevOps does not say who; only the build identity can edit it, so another pipeline's job token did";

    /// <summary>The request's thread is closed: its final text is the record.</summary>
    public async Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken)
    {
        var (thread, _) = Address(request);
        await api.SetThreadStatusAsync(_pullRequest, thread, "closed", cancellationToken);
    }

    private static ConversationComment? ToComment(int thread, Comment c)
    {
        if (c.PublishedDate is not { } published) return null;
        var author = c.Author is { Id: { Length: > 0 } id, UniqueName: { Length: > 0 } name } who
            // Groups (isContainer) cannot write; a service identity is not a person who holds a device.
            ? new ConversationAuthor(id, name, IsBot: who.IsContainer == true || IsServiceIdentity(name))
            : null;
        var edited = c.LastContentUpdatedDate is { } changed && changed > published ? changed : (DateTimeOffset?)null;
        return new ConversationComment($"{thread.ToString(CultureInfo.InvariantCulture)}.{c.Id.ToString(CultureInfo.InvariantCulture)}", null,
            c.Content ?? "", author, published, edited);
    }

    /// <summary>Build service accounts' uniqueNames are GUIDs ("Build\&lt;guid&gt;" or the bare id), never an e-mail-like sign-in name.</summary>
    private static bool IsServiceIdentity(string uniqueName) =>
        uniqueName.StartsWith("Build\\", StringComparison.OrdinalIgnoreCase) || Guid.TryParse(uniqueName, out _);

    private static (int Thread, int Comment) Address(ConversationComment comment)
    {
        var dot = comment.Id.IndexOf('.');
        return (int.Parse(comment.Id[..dot], CultureInfo.InvariantCulture), int.Parse(comment.Id[(dot + 1)..], CultureInfo.InvariantCulture));
    }
}
