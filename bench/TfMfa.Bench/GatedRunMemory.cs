namespace TfMfa.Bench;

/// <summary>Figure 5: peak resident memory of a whole gated run: wait, code, STS, terraform init and plan (real terraform when on PATH).</summary>
public static class GatedRunMemory
{
    public sealed record Result(long PeakMegabytes, bool RealTerraform, double Seconds);

    public static async Task<Result> MeasureAsync(Repository.Build build)
    {
        await using var world = await World.StartAsync();
        world.Config("default-level: plans-and-applies\nwait:\n  poll-interval: 1s\n");
        var realTerraform = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "terraform")));
        var (environment, device) = world.Run("plan", realTerraform ? null : world.FakeTerraform("echo planned"));
        var run = ProcessRun.RunAsync(build, environment);
        while (world.LatestRequest() is null && !run.IsCompleted) await Task.Delay(10);
        world.GitHub.PostComment(World.PullRequest, "alice", $"/mfa {device.CodeAt(DateTimeOffset.UtcNow)}");
        var result = await run;
        if (result.ExitCode != 0) throw new InvalidOperationException($"gated run failed (exit {result.ExitCode}): {result.LastError}");
        return new Result(result.PeakKilobytes / 1024, realTerraform, result.TotalMs / 1000);
    }
}
