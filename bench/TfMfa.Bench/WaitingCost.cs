using TfMfa.Conversation;
using Microsoft.Extensions.Time.Testing;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.GitHub;
using TfMfa.RunLog;
using TfMfa.StandIns.GitHub;

namespace TfMfa.Bench;

/// <summary>Figure 2: counted (non-304) GitHub requests while a run waits for a code that never comes.</summary>
public static class WaitingCost
{
    public sealed record Cost(int Counted, int Total, double Minutes, int StartupCounted = 0, int FinishCounted = 0)
    {
        public double PerMinute => Counted / Minutes;
    }

    /// <summary>The real program, waiting <paramref name="wait"/> of real time for a code that never comes.</summary>
    public static async Task<Cost> RealProgramAsync(Repository.Build build, TimeSpan wait)
    {
        await using var world = await World.StartAsync();
        world.Config("default-level: plans-and-applies\n");
        var (environment, _) = world.Run("plan", null, new Dictionary<string, string> { ["timeout"] = $"{(int)wait.TotalSeconds}s", ["init"] = "false" });
        await ProcessRun.RunAsync(build, environment);
        // Before the request comment: reading the config and approvals. After the wait: the timed-out edit.
        var requests = world.GitHub.Requests.ToList();
        var posted = requests.FindIndex(r => r.Method == "POST");
        var finished = requests.FindLastIndex(r => r.Method == "PATCH");
        var waiting = requests.Skip(posted).Take(finished - posted).ToList();
        return new Cost(waiting.Count(r => r.Counted), waiting.Count, wait.TotalMinutes,
            requests.Take(posted).Count(r => r.Counted), requests.Skip(finished).Count(r => r.Counted));
    }

    /// <summary>
    /// A 10-minute wait that times out, on a fake clock: the program's own wait loop
    /// (<see cref="ConversationChannel"/> with Octokit) against the stand-in, which shares that clock.
    /// </summary>
    public static async Task<Cost> TenMinutesAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var github = await GitHubStandIn.StartAsync(clock: clock);
        github.AddUser("alice", "write");
        var context = new GitHubContext(github.Url, "https://github.com", github.Owner, github.Repository, 1, 1, "pull_request", "abc", "alice", null, World.PullRequest);
        var api = new OctokitGitHubApi(context, github.Token, clock);
        var policy = new ApproverPolicy(RepoPermission.Write, []);
        using var log = new GitHubRunLog(TextWriter.Null, TextWriter.Null, null, null);
        var source = new ConversationChannel(new GitHubConversation(api, _ => Task.FromResult(World.PullRequest)), new Approvers(policy, (author, ct) => api.GetPermissionAsync(author.Key, ct)),
            r => new RequestDetails(r.Command, r.Environment, r.SerialNumber, "https://github.com", 1, 1, policy, r.Deadline, GitHubConversation.Wording),
            TimeSpan.FromSeconds(2), clock, log);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10), clock);
        var request = await source.OpenAsync(new CodeRequest(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci", clock.GetUtcNow().AddMinutes(10)), timeout.Token);
        var waiting = request.NextCodeAsync(Attempt.First(3), timeout.Token);
        await DriveAsync(clock, waiting, github);
        try { await waiting; } catch (OperationCanceledException) { }
        var requests = github.Requests;
        return new Cost(requests.Count(r => r.Counted), requests.Count, 10);
    }

    /// <summary>The reference loop for 10 minutes on the same fake clock.</summary>
    public static async Task<Cost> ReferenceTenMinutesAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var github = await GitHubStandIn.StartAsync(clock: clock);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10), clock);
        var waiting = new ReferencePoller(github, clock).WaitForCodeAsync(World.PullRequest, clock.GetUtcNow(), timeout.Token);
        await DriveAsync(clock, waiting, github);
        try { await waiting; } catch (OperationCanceledException) { }
        var requests = github.Requests;
        return new Cost(requests.Count(r => r.Counted), requests.Count, 10);
    }

    /// <summary>Moves the fake clock on in small steps until the wait ends, letting each poll finish first.</summary>
    private static async Task DriveAsync(FakeTimeProvider clock, Task waiting, GitHubStandIn github)
    {
        while (!waiting.IsCompleted)
        {
            var before = github.Requests.Count;
            clock.Advance(TimeSpan.FromMilliseconds(500));
            var settle = DateTime.UtcNow.AddMilliseconds(30);
            while (github.Requests.Count == before && DateTime.UtcNow < settle && !waiting.IsCompleted) await Task.Delay(2);
        }
    }
}
