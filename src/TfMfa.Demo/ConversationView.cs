using TfMfa.StandIns.GitHub;

namespace TfMfa.Demo;

/// <summary>Watches the pull request on the GitHub stand-in and shows what a person would see: new comments, edits, reactions, deletions.</summary>
public sealed class ConversationView : IAsyncDisposable
{
    private readonly GitHubStandIn _github;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<long, (int Versions, int Reactions, bool Deleted)> _seen = [];
    private readonly Task _watching;

    /// <summary>Shows what happens from now on; comments already there were shown before.</summary>
    public ConversationView(GitHubStandIn github)
    {
        _github = github;
        foreach (var comment in github.CommentsOn(DemoWorld.PullRequest))
            _seen[comment.Id] = (comment.History.Count, comment.Reactions.Count, comment.Deleted);
        _watching = Task.Run(WatchAsync);
    }

    private async Task WatchAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Refresh();
                await Task.Delay(100, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        Refresh();
    }

    private void Refresh()
    {
        foreach (var comment in _github.CommentsOn(DemoWorld.PullRequest))
        {
            var versions = comment.History.Count;
            _seen.TryGetValue(comment.Id, out var before);
            if (before.Versions == 0)
                Screen.Conversation($"💬 @{comment.User.Login}: {Summarize(comment.History[0])}");
            else if (versions > before.Versions)
                Screen.Conversation($"✏️  @{comment.User.Login} edited their comment: {Summarize(comment.History[^1])}");
            if (comment.Reactions.Count > before.Reactions)
                Screen.Conversation(comment.Reactions[^1].Content == "rocket"
                    ? $"🚀 @{comment.Reactions[^1].Login} took @{comment.User.Login}'s request for this run (a rocket: GitHub grants it to one run)"
                    : $"👀 @{comment.Reactions[^1].Login} reacted to @{comment.User.Login}'s comment");
            if (comment.Deleted && !before.Deleted)
                Screen.Conversation($"🗑️  @{comment.User.Login}'s comment was deleted (the code is no longer visible)");
            _seen[comment.Id] = (versions, comment.Reactions.Count, comment.Deleted);
        }
    }

    /// <summary>The request comment's headline and status lines; a person's comment whole.</summary>
    private static string Summarize(string body)
    {
        var lines = body.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("<!--", StringComparison.Ordinal)).ToList();
        if (lines.Count <= 1) return lines.FirstOrDefault() ?? "";
        var important = lines.Where(l => l.StartsWith("###", StringComparison.Ordinal) || l.StartsWith("> ", StringComparison.Ordinal) || l.StartsWith("⏳", StringComparison.Ordinal)
                                         || l.StartsWith("**", StringComparison.Ordinal) || l.StartsWith("- `", StringComparison.Ordinal)
                                         || l.StartsWith("| Commit", StringComparison.Ordinal) || l.StartsWith("| AWS identity", StringComparison.Ordinal));
        return string.Join("\n         ", important.Select(l => l.TrimStart('#', ' ')));
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Delay(300);
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }
}
