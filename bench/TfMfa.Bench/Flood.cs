using TfMfa.StandIns.GitHub;

namespace TfMfa.Bench;

/// <summary>
/// Figure 6: 1,000 <c>/mfa</c> code comments from people who may not supply codes land right after
/// the request, then an allowed person's code. Through the real program: the counted GitHub
/// requests the flood cost, and the delay from the allowed code's comment to its STS call.
/// </summary>
public static class Flood
{
    public sealed record Result(int Comments, int Strangers, TimeSpan RoundTrip, int Counted, int PermissionReads, int Removals, double DelayMs, int Visible);

    public static async Task<Result> MeasureAsync(Repository.Build build, int comments, int strangers, TimeSpan roundTrip)
    {
        await using var world = await World.StartAsync();
        world.GitHub.Latency = roundTrip;
        world.Config("default-level: plans-and-applies\nwait:\n  poll-interval: 2s\n  timeout: 3m\n");
        var names = Enumerable.Range(1, strangers).Select(i => $"stranger{i}").ToArray();
        foreach (var name in names) world.GitHub.AddUser(name, "read");
        var terraform = world.FakeTerraform("exit 0");
        var (environment, device) = world.Run("plan", terraform, new Dictionary<string, string> { ["init"] = "false" });

        var run = ProcessRun.RunAsync(build, environment);
        StoredComment? request = null;
        while ((request = world.LatestRequest()) is null && !run.IsCompleted) await Task.Delay(5);
        var before = world.GitHub.Requests.Count;
        for (var i = 0; i < comments; i++) world.GitHub.PostComment(World.PullRequest, names[i % names.Length], $"/mfa {100000 + i}");
        var code = device.CodeAt(DateTimeOffset.UtcNow);
        var allowed = world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {code}");
        var result = await run;

        var call = world.Aws.Requests.SingleOrDefault(r => r.Operation == "GetSessionToken" && r.TokenCode == code);
        if (result.ExitCode != 0 || call is null) throw new InvalidOperationException($"the allowed code was not used (exit {result.ExitCode}: {result.LastError})");
        var during = world.GitHub.Requests.Skip(before).Where(r => r.At <= call.At.AddSeconds(5)).ToList();
        return new Result(comments, strangers, roundTrip,
            during.Count(r => r.Counted),
            during.Count(r => r.Path.Contains("/collaborators/", StringComparison.Ordinal)),
            world.GitHub.Requests.Count(r => r.Method == "DELETE"),
            (call.At - allowed.CreatedAt).TotalMilliseconds,
            world.GitHub.CommentsOn(World.PullRequest).Count(c => !c.Deleted && !c.User.IsBot));
    }
}
