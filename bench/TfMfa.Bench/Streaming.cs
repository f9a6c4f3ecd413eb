using System.Diagnostics;
using CliWrap;

namespace TfMfa.Bench;

/// <summary>Figure 4: terraform writing a lot of output (a stand-in terraform), streamed through the program.</summary>
public static class Streaming
{
    public const string StartMarker = "STREAM-START";
    public const string EndMarker = "STREAM-END";

    public sealed record Result(long Megabytes, double MegabytesPerSecond, double GeneratorMegabytesPerSecond, long PeakMegabytes, double ThroughCatMegabytesPerSecond, double CpuMs);

    public const string TableHeader = """
        | round | build | terraform output | throughput through TfMfa | generator alone (ceiling) | generator through cat | peak memory (VmHWM) | TfMfa's CPU time |
        |---|---|---|---|---|---|---|---|
        """;

    public static string Row(Repository.Build build, int round, Result r) =>
        $"| {round} | {build.Name} | {r.Megabytes} MB | {r.MegabytesPerSecond:0} MB/s | {r.GeneratorMegabytesPerSecond:0} MB/s | {r.ThroughCatMegabytesPerSecond:0} MB/s | {r.PeakMegabytes} MB | {r.CpuMs:0} ms |";

    public static async Task<Result> MeasureAsync(Repository.Build build, long megabytes)
    {
        await using var world = await World.StartAsync();
        world.Config("default-level: never\n");
        var generator = $"head -c {megabytes * 1_000_000} /dev/zero | tr '\\0' 'x' | fold -w 120";
        var terraform = world.FakeTerraform($"echo {StartMarker}; {generator}; echo {EndMarker}");
        var (environment, _) = world.Run("plan", terraform, new Dictionary<string, string> { ["init"] = "false" });

        var result = await ProcessRun.RunAsync(build, environment, StartMarker, endMarker: EndMarker);
        if (result.ExitCode != 0 || result.MarkerMs is null || result.EndMarkerMs is null) throw new InvalidOperationException($"streaming run failed (exit {result.ExitCode}): {result.LastError}");
        // From the read that held the start marker to the one that held the end marker: the stream alone, not the program's exit.
        var seconds = (result.EndMarkerMs.Value - result.MarkerMs.Value) / 1000;

        // The same generator straight into /dev/null: the ceiling any streaming could reach here.
        var watch = Stopwatch.StartNew();
        await Cli.Wrap("sh").WithArguments(["-c", generator + " > /dev/null"]).ExecuteAsync();
        var generatorSeconds = watch.Elapsed.TotalSeconds;

        // And through cat: the least any program reading it from a pipe adds.
        watch.Restart();
        await Cli.Wrap("sh").WithArguments(["-c", generator + " | cat > /dev/null"]).ExecuteAsync();
        var throughCatSeconds = watch.Elapsed.TotalSeconds;

        return new Result(megabytes, result.BytesBetweenMarkers / 1_000_000.0 / seconds, megabytes / generatorSeconds, result.PeakKilobytes / 1024, megabytes / throughCatSeconds, result.CpuMs);
    }
}
