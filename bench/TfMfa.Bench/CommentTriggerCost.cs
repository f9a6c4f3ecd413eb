using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TfMfa.Bench;

/// <summary>
/// Figure 8 (issue 20): runner time held for one code, poll mode against comment-trigger, through the
/// real program. Poll mode holds a runner from its start until the code is used and terraform ends,
/// however long the person takes; comment-trigger holds one for the run that asks and for the run the
/// reply starts, and none in between. Each mode's own time is measured; the person's delay is added
/// as it is (10 minutes here), since no runner is measured waiting it out.
/// </summary>
public static partial class CommentTriggerCost
{
    public sealed record Result(Stats Asking, Stats AnswerToSts, Stats Answering, Stats PollBeforeWait, Stats PollAfterCode);

    [GeneratedRegex("<!-- tfmfa:id (?<id>[a-z]+) -->")]
    private static partial Regex Id();

    public static async Task<Result> MeasureAsync(Repository.Build build, int runs)
    {
        // IAM allows 8 MFA devices per user, and each run gets a fresh one: a world per mode, at most 8 runs each.
        runs = Math.Min(runs, 8);
        var inputs = new Dictionary<string, string> { ["init"] = "false" };
        List<double> asking = [], toSts = [], answering = [], beforeWait = [], afterCode = [];

        await using (var world = await World.StartAsync())
        {
            // A no-op plan: TfMfa's own time is what is measured, not terraform's.
            var terraform = world.FakeTerraform("echo 'No changes. Your infrastructure matches the configuration.'");
            world.Config("default-level: plans-and-applies\nwait:\n  mode: comment-trigger\n");
            for (var i = 0; i < runs; i++)
            {
                var (environment, device) = world.Run("plan", terraform, inputs);
                var asked = await ProcessRun.RunAsync(build, environment);
                var request = world.LatestRequest();
                if (asked.ExitCode != 0 || request is null) throw new InvalidOperationException($"run {i} did not ask (exit {asked.ExitCode}: {asked.LastError})");
                asking.Add(asked.TotalMs);

                var code = device.CodeAt(DateTimeOffset.UtcNow);
                var reply = world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {Id().Match(request.Body).Groups["id"].Value} {code}");
                var eventFile = Path.Combine(world.Root, $"comment-{i}.json");
                File.WriteAllText(eventFile, TfMfa.StandIns.World.GitHubWorld.IssueCommentEvent(reply, World.PullRequest).ToJsonString());
                environment["GITHUB_EVENT_NAME"] = "issue_comment";
                environment["GITHUB_EVENT_PATH"] = eventFile;
                var started = DateTimeOffset.UtcNow;
                var answered = await ProcessRun.RunAsync(build, environment);
                var call = world.Aws.Requests.SingleOrDefault(r => r.TokenCode == code);
                if (answered.ExitCode != 0 || call is null) throw new InvalidOperationException($"run {i} did not answer (exit {answered.ExitCode}: {answered.LastError})");
                toSts.Add((call.At - started).TotalMilliseconds);
                answering.Add(answered.TotalMs);
            }
        }

        await using (var world = await World.StartAsync())
        {
            var terraform = world.FakeTerraform("echo 'No changes. Your infrastructure matches the configuration.'");
            world.Config("default-level: plans-and-applies\n");
            for (var i = 0; i < runs; i++)
            {
                var (environment, device) = world.Run("plan", terraform, inputs);
                var before = world.GitHub.CommentsOn(World.PullRequest).Count(c => c.User.IsBot);
                var watch = Stopwatch.StartNew();
                var run = ProcessRun.RunAsync(build, environment);
                while (world.GitHub.CommentsOn(World.PullRequest).Count(c => c.User.IsBot) == before && !run.IsCompleted) await Task.Delay(5);
                beforeWait.Add(watch.Elapsed.TotalMilliseconds);
                var code = device.CodeAt(DateTimeOffset.UtcNow);
                var posted = Stopwatch.StartNew();
                world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {code}");
                var result = await run;
                if (result.ExitCode != 0) throw new InvalidOperationException($"poll run {i} failed (exit {result.ExitCode}: {result.LastError})");
                afterCode.Add(posted.Elapsed.TotalMilliseconds);
            }
        }
        return new Result(Stats.Of(asking), Stats.Of(toSts), Stats.Of(answering), Stats.Of(beforeWait), Stats.Of(afterCode));
    }

    /// <summary>The table for docs/performance.md, for a person who answers after <paramref name="answerAfter"/>.</summary>
    public static string Table(Result r, TimeSpan answerAfter)
    {
        var wait = answerAfter.TotalSeconds;
        var poll = r.PollBeforeWait.Median / 1000 + wait + r.PollAfterCode.Median / 1000;
        var trigger = (r.Asking.Median + r.Answering.Median) / 1000;
        return $"""
            | mode | runner time held for one code answered after {answerAfter.TotalMinutes:0} min (median) | made of |
            |---|---|---|
            | poll (the default) | {poll:0.0} s | {r.PollBeforeWait.Median / 1000:0.00} s to the request + {wait:0} s waiting + {r.PollAfterCode.Median / 1000:0.00} s from the reply to the end |
            | comment-trigger | {trigger:0.00} s | {r.Asking.Median / 1000:0.00} s asking (start to exit) + {r.Answering.Median / 1000:0.00} s answering (start to exit); nothing while the person decides |

            | the answering run | median | p95 |
            |---|---|---|
            | process start to the STS call carrying the code | {r.AnswerToSts.Median:0} ms | {r.AnswerToSts.P95:0} ms |
            | process start to the end of a no-op plan | {r.Answering.Median:0} ms | {r.Answering.P95:0} ms |
            | the run that asks, start to exit | {r.Asking.Median:0} ms | {r.Asking.P95:0} ms |
            """;
    }
}
