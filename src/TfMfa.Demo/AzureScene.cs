namespace TfMfa.Demo;

/// <summary>
/// The same gate as an Azure Pipelines task: a pull-request build on Azure Repos, where TfMfa asks
/// in a new thread, a reader's code is refused and removed, and alice's code unlocks the plan.
/// </summary>
public sealed class AzureScene(DemoWorld world)
{
    public const int PullRequest = 31;
    private const string Where = "PR 31";

    public async Task<(int ExitCode, string? AuthenticatedBy)> RunAsync(CancellationToken cancellationToken)
    {
        Screen.Title($"3. Azure Repos pull request {PullRequest}: the TfMfa@1 task runs terraform plan in production");
        var azure = world.Azure;
        Screen.Say($"""
            A local Azure DevOps ({azure.CollectionUri}) stands in for dev.azure.com: the agent's variables
            name it, the job's token signs every call, and the config is read from main's .azuredevops/tfmfa.yml.
            People: alice@contoso.com (Contribute) can supply codes; rob@contoso.com (Read) cannot.
            """);
        world.NextCodeWindow(); // a fresh code for a new run

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watching = WatchAsync(stop.Token);
        var people = PeopleAsync(stop.Token);
        var exitCode = await ActionView.RunAsync(world.AgentEnvironment(), cancellationToken);
        await Task.Delay(300, CancellationToken.None);
        await stop.CancelAsync();
        foreach (var task in new[] { watching, people })
            try { await task; } catch (OperationCanceledException) { }

        var by = ActionView.LastOutputs.GetValueOrDefault("authenticatedBy");
        return (exitCode, string.IsNullOrEmpty(by) ? null : by);
    }

    private async Task PeopleAsync(CancellationToken cancellationToken)
    {
        var azure = world.Azure;
        await UntilAsync(() => world.AzureWorld.RequestThreads().Count > 0, cancellationToken);
        azure.PostThread(PullRequest, "rob@contoso.com", $"/mfa {world.CurrentCode()}");
        await UntilAsync(() => azure.Threads(PullRequest).Any(t => t.Comments[0].Author.UniqueName == "rob@contoso.com" && t.Comments[0].IsDeleted), cancellationToken);
        await Task.Delay(1000, cancellationToken);
        azure.PostThread(PullRequest, "alice@contoso.com", $"/mfa {world.CurrentCode()}");
    }

    /// <summary>What a person sees on the pull request: new threads and replies, edits of the request, deletions.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var seen = new Dictionary<(int, int), (int Versions, bool Deleted)>();
        try
        {
            while (true)
            {
                foreach (var thread in world.Azure.Threads(PullRequest))
                    foreach (var comment in thread.Comments)
                    {
                        seen.TryGetValue((thread.Id, comment.Id), out var before);
                        var who = comment.Author.Id == world.Azure.BuildIdentity.Id ? "TfMfa (build service)" : comment.Author.UniqueName;
                        if (before.Versions == 0)
                            Screen.Conversation($"💬 {who} in thread {thread.Id}: {Summarize(comment.History[0])}", Where);
                        else if (comment.History.Count > before.Versions)
                            Screen.Conversation($"✏️  {who} edited the request: {Summarize(comment.History[^1])}", Where);
                        if (comment.IsDeleted && !before.Deleted)
                            Screen.Conversation($"🗑️  {comment.Author.UniqueName}'s comment in thread {thread.Id} was deleted (the code is no longer visible)", Where);
                        seen[(thread.Id, comment.Id)] = (comment.History.Count, comment.IsDeleted);
                    }
                await Task.Delay(100, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
    }

    private static string Summarize(string body)
    {
        var lines = body.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("<!--", StringComparison.Ordinal)).ToList();
        if (lines.Count <= 1) return lines.FirstOrDefault() ?? "";
        return string.Join("\n         ", lines.Where(l => l.StartsWith("###", StringComparison.Ordinal) || l.StartsWith("> ", StringComparison.Ordinal) || l.StartsWith("🔐", StringComparison.Ordinal)).Select(l => l.TrimStart('#', ' ')));
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(50, cancellationToken);
    }
}
