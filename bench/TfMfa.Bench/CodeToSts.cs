using TfMfa.StandIns.Aws;

namespace TfMfa.Bench;

/// <summary>
/// Figure 1: from the moment the GitHub stand-in creates the <c>/mfa</c> comment to the moment the
/// STS call carrying its code arrives, through the real program, with the comment posted at points
/// spread evenly over the poll cycle.
/// </summary>
public static class CodeToSts
{
    public static async Task<Stats> MeasureAsync(Repository.Build build, TimeSpan poll, TimeSpan roundTrip, int runs)
    {
        await using var world = await World.StartAsync();
        world.GitHub.Latency = roundTrip;
        world.Config($"default-level: plans-and-applies\nwait:\n  poll-interval: {(int)poll.TotalSeconds}s\n  timeout: 2m\n");
        var terraform = world.FakeTerraform("exit 0");
        var latencies = new List<double>();
        // Evenly spread points of the poll cycle, in random order: the median then measures the
        // program, not the luck of a few random draws.
        var offsets = Enumerable.Range(0, runs).Select(i => (i + 0.5) / runs * poll.TotalMilliseconds).OrderBy(_ => Random.Shared.Next()).ToArray();
        for (var i = 0; i < runs; i++)
        {
            var (environment, device) = world.Run("plan", terraform, new Dictionary<string, string> { ["init"] = "false" });
            var requestsBefore = world.GitHub.CommentsOn(World.PullRequest).Count(c => c.User.IsBot);
            var run = ProcessRun.RunAsync(build, environment);
            while (world.GitHub.CommentsOn(World.PullRequest).Count(c => c.User.IsBot) == requestsBefore && !run.IsCompleted)
                await Task.Delay(5);
            var offset = offsets[i];
            await Task.Delay(TimeSpan.FromMilliseconds(offset));
            var code = device.CodeAt(DateTimeOffset.UtcNow);
            var comment = world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {code}");
            var result = await run;
            var call = world.Aws.Requests.SingleOrDefault(r => r.Operation == "GetSessionToken" && r.TokenCode == code);
            if (result.ExitCode != 0 || call is null) throw new InvalidOperationException($"run {i} did not authenticate (exit {result.ExitCode})");
            latencies.Add((call.At - comment.CreatedAt).TotalMilliseconds);
            if (Environment.GetEnvironmentVariable("TFMFA_BENCH_VERBOSE") == "1")
            {
                var request = world.LatestRequest()!;
                var lists = world.GitHub.Requests.Where(r => r.Method == "GET" && r.Path.Contains("/comments", StringComparison.Ordinal) && r.At >= request.CreatedAt)
                    .Select(r => $"{(r.At - request.CreatedAt).TotalMilliseconds:0}");
                Console.WriteLine($"  posted +{(comment.CreatedAt - request.CreatedAt).TotalMilliseconds:0} ms, sts +{(call.At - request.CreatedAt).TotalMilliseconds:0} ms, latency {latencies[^1]:0} ms; lists at {string.Join(",", lists)}");
            }
        }
        return Stats.Of(latencies);
    }
}
