using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using TfMfa.StandIns.GitHub;

namespace TfMfa.Bench;

/// <summary>
/// The reference point: what popular approval-by-comment actions do. List the issue's comments every
/// 10 seconds, unconditionally (no If-None-Match, every poll counts), and act on the first match.
/// </summary>
public sealed partial class ReferencePoller(GitHubStandIn github, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [GeneratedRegex(@"^/mfa (\d{6})")]
    private static partial Regex Code();

    public async Task<string?> WaitForCodeAsync(int issue, DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("token", github.Token);
        http.DefaultRequestHeaders.UserAgent.ParseAdd("reference-poller");
        while (true)
        {
            var json = await http.GetStringAsync($"{github.Url}/repos/{github.FullName}/issues/{issue}/comments?per_page=100", cancellationToken);
            foreach (var comment in JsonDocument.Parse(json).RootElement.EnumerateArray())
            {
                if (comment.GetProperty("created_at").GetDateTimeOffset() < since.AddSeconds(-1)) continue;
                var match = Code().Match(comment.GetProperty("body").GetString() ?? "");
                if (match.Success) return match.Groups[1].Value;
            }
            await Task.Delay(Interval, clock, cancellationToken);
        }
    }

    /// <summary>Figure 1's reference: comment to STS call with the reference loop.</summary>
    public static async Task<Stats> MeasureLatencyAsync(TimeSpan roundTrip, int runs)
    {
        await using var world = await World.StartAsync();
        world.GitHub.Latency = roundTrip;
        var latencies = new List<double>();
        var offsets = Enumerable.Range(0, runs).Select(i => (i + 0.5) / runs * Interval.TotalMilliseconds).OrderBy(_ => Random.Shared.Next()).ToArray();
        for (var i = 0; i < runs; i++)
        {
            var (_, device) = world.Run("plan");
            var started = DateTimeOffset.UtcNow;
            var poller = new ReferencePoller(world.GitHub, TimeProvider.System);
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var waiting = poller.WaitForCodeAsync(World.PullRequest, started, stop.Token);
            await Task.Delay(TimeSpan.FromMilliseconds(offsets[i]));
            var code = device.CodeAt(DateTimeOffset.UtcNow);
            var comment = world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {code}");
            var found = await waiting;
            using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(device.Owner.AccessKeyId, device.Owner.SecretAccessKey),
                new AmazonSecurityTokenServiceConfig { ServiceURL = world.Aws.Endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
            await sts.GetSessionTokenAsync(new GetSessionTokenRequest { SerialNumber = device.SerialNumber, TokenCode = found, DurationSeconds = 900 });
            var call = world.Aws.Requests.Single(r => r.Operation == "GetSessionToken" && r.TokenCode == code);
            latencies.Add((call.At - comment.CreatedAt).TotalMilliseconds);
            world.GitHub.EditComment(comment.Id, "done"); // so the next round does not find it
        }
        return Stats.Of(latencies);
    }
}
