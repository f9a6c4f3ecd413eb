using Microsoft.Extensions.Time.Testing;
using TfMfa.AzurePipelines;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.Hosting;
using TfMfa.RunLog;
using TfMfa.StandIns.AzureDevOps;

namespace TfMfa.Bench;

/// <summary>
/// Issue 21: what a 10-minute wait costs on Azure DevOps, in requests and response bytes, through the
/// program's own wait loop (<see cref="ConversationChannel"/> over <see cref="AzureThreadConversation"/>
/// and <see cref="AzureReposApi"/>) against the Azure DevOps stand-in, on a fake clock. The threads
/// API has no ETags, so every poll is a full, counted read: the schedule is what there is to save.
/// </summary>
public static class AzureWaitingCost
{
    /// <param name="FirstMinutes">Reads in the request's first 2 minutes, when it is fresh and a code is most likely.</param>
    public sealed record Cost(string Schedule, int Reads, long ResponseBytes, int FirstMinutes, double SteadyPerMinute, int MostInFiveMinutes);

    /// <param name="otherThreads">Threads already on the pull request (a review's worth of comments), which every read lists again.</param>
    public static async Task<Cost> TenMinutesAsync(bool adaptive, int otherThreads = 20)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var azure = await AzureDevOpsStandIn.StartAsync();
        azure.AddPullRequest(31, "dana@contoso.com");
        for (var i = 0; i < otherThreads; i++) azure.PostThread(31, "dana@contoso.com", $"Review note {i}: please rename this variable and add a description to the output.");
        var context = AzureContext.Read(new DictionaryEnvironment(new Dictionary<string, string>
        {
            ["SYSTEM_COLLECTIONURI"] = azure.CollectionUri, ["SYSTEM_TEAMPROJECT"] = AzureDevOpsStandIn.ProjectName, ["SYSTEM_TEAMPROJECTID"] = azure.ProjectId,
            ["BUILD_REPOSITORY_ID"] = azure.RepositoryId, ["BUILD_BUILDID"] = "4242", ["BUILD_REASON"] = "PullRequest", ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = "31",
            ["SYSTEM_PULLREQUEST_ISFORK"] = "False", ["BUILD_REPOSITORY_PROVIDER"] = "TfsGit",
        }));
        using var client = new AzureDevOpsClient(context, azure.Token, clock);
        var api = new AzureReposApi(client, context);
        IConversation conversation = new AzureThreadConversation(api, _ => Task.FromResult(31), "4242.1", "https://dev.azure.com/contoso/infra/_build/results?buildId=4242");
        if (!adaptive) conversation = new ReadAsIfFree(conversation);
        var policy = new ApproverPolicy(RepoPermission.Write, []);
        using var log = new TfMfa.Terminal.TerminalRunLog(TextWriter.Null, TextWriter.Null);
        var channel = new ConversationChannel(conversation, new Approvers(policy, (author, ct) => api.PermissionAsync(author.Key, ct)),
            r => new RequestDetails(r.Command, r.Environment, r.SerialNumber, "https://dev.azure.com", 4242, 1, policy, r.Deadline, AzureThreadConversation.Wording),
            TimeSpan.FromSeconds(2), clock, log);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10), clock);
        var request = await channel.OpenAsync(new CodeRequest(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci", clock.GetUtcNow().AddMinutes(10)), timeout.Token);
        var before = azure.Requests.Count;
        var waiting = request.NextCodeAsync(Attempt.First(3), timeout.Token);
        var started = clock.GetUtcNow();
        var readsAt = new List<TimeSpan>();
        while (!waiting.IsCompleted)
        {
            var count = azure.Requests.Count;
            clock.Advance(TimeSpan.FromMilliseconds(500));
            var settle = DateTime.UtcNow.AddMilliseconds(30);
            while (azure.Requests.Count == count && DateTime.UtcNow < settle && !waiting.IsCompleted) await Task.Delay(2);
            for (var i = count; i < azure.Requests.Count; i++)
                if (azure.Requests[i].Method == "GET" && azure.Requests[i].PathAndQuery.Contains("/threads", StringComparison.Ordinal)) readsAt.Add(clock.GetUtcNow() - started);
        }
        try { await waiting; } catch (OperationCanceledException) { }
        var reads = azure.Requests.Skip(before).Where(r => r.Method == "GET" && r.PathAndQuery.Contains("/threads", StringComparison.Ordinal)).ToList();
        var mostInFive = readsAt.Select(t => readsAt.Count(u => u >= t && u < t + TimeSpan.FromMinutes(5))).DefaultIfEmpty(0).Max();
        return new Cost(adaptive ? "TfMfa now: 2 s while fresh (2 min), then 10 s" : "TfMfa before: every 2 s", reads.Count, reads.Sum(r => r.ResponseBytes),
            readsAt.Count(t => t < TimeSpan.FromMinutes(2)), readsAt.Count(t => t >= TimeSpan.FromMinutes(3)) / 7.0, mostInFive);
    }

    public static string Table(IEnumerable<Cost> costs, GitHubFigure github) =>
        "| schedule | reads in 10 min | response bytes | reads in the first 2 min | reads/min when steady | most reads in any 5 min |\n|---|---|---|---|---|---|\n" +
        string.Concat(costs.Select(c => $"| Azure DevOps, {c.Schedule} | {c.Reads} | {c.ResponseBytes:N0} | {c.FirstMinutes} | {c.SteadyPerMinute:0.0} | {c.MostInFiveMinutes} |\n")) +
        $"| GitHub, every 2 s (ETag) | {github.Total} ({github.Counted} counted) | - | - | {github.CountedPerMinute:0.0} counted | - |\n";

    public sealed record GitHubFigure(int Total, int Counted, double CountedPerMinute);

    /// <summary>The schedule TfMfa had before: a conversation whose reads it took to be free.</summary>
    private sealed class ReadAsIfFree(IConversation inner) : IConversation
    {
        public string Platform => inner.Platform;
        public string Where => inner.Where;
        public bool ReadsAreCounted => false;
        public string Mention(string name) => inner.Mention(name);
        public Task<ConversationComment> PostRequestAsync(string text, CancellationToken cancellationToken) => inner.PostRequestAsync(text, cancellationToken);
        public Task<IReadOnlyList<ConversationComment>> CommentsSinceAsync(ConversationComment request, CancellationToken cancellationToken) => inner.CommentsSinceAsync(request, cancellationToken);
        public Task<ClaimOutcome> ClaimAsync(ConversationComment comment, CancellationToken cancellationToken) => inner.ClaimAsync(comment, cancellationToken);
        public Task RemoveAsync(ConversationComment comment, CancellationToken cancellationToken) => inner.RemoveAsync(comment, cancellationToken);
        public Task EditRequestAsync(ConversationComment request, string text, CancellationToken cancellationToken) => inner.EditRequestAsync(request, text, cancellationToken);
        public Task ReplyAsync(ConversationComment to, string text, CancellationToken cancellationToken) => inner.ReplyAsync(to, text, cancellationToken);
        public Task AcknowledgeAsync(ConversationComment comment, CancellationToken cancellationToken) => inner.AcknowledgeAsync(comment, cancellationToken);
        public Task<IReadOnlyList<ConversationComment>> CommentsByAsync(ConversationAuthor poster, CancellationToken cancellationToken) => inner.CommentsByAsync(poster, cancellationToken);
        public Task<bool?> RunCompletedAsync(long runId, CancellationToken cancellationToken) => inner.RunCompletedAsync(runId, cancellationToken);
        public Task<string?> CurrentTextAsync(ConversationComment request, CancellationToken cancellationToken) => inner.CurrentTextAsync(request, cancellationToken);
        public string WhoEdited => inner.WhoEdited;
        public Task ConcludeAsync(ConversationComment request, CancellationToken cancellationToken) => inner.ConcludeAsync(request, cancellationToken);
    }
}
