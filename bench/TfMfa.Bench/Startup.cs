namespace TfMfa.Bench;

/// <summary>Figure 3: process start to the first log line, and to terraform's first byte when no MFA is needed.</summary>
public static class Startup
{
    public const string TerraformMarker = "TERRAFORM-FIRST-BYTE";

    public sealed record Result(Stats FirstLine, Stats FirstTerraformByte);

    public static async Task<Result> MeasureAsync(Repository.Build build, int runs)
    {
        await using var world = await World.StartAsync();
        world.Config("default-level: never\n");
        var terraform = world.FakeTerraform($"echo {TerraformMarker}");
        var first = new List<double>();
        var marker = new List<double>();
        for (var i = 0; i < runs + 2; i++)
        {
            var (environment, _) = world.Run("plan", terraform, new Dictionary<string, string> { ["init"] = "false" });
            var result = await ProcessRun.RunAsync(build, environment, TerraformMarker);
            if (result.ExitCode != 0 || result.MarkerMs is null) throw new InvalidOperationException($"exit {result.ExitCode}: {result.LastError}");
            if (i < 2) continue; // warm the disk cache first
            first.Add(result.FirstLineMs);
            marker.Add(result.MarkerMs.Value);
        }
        return new Result(Stats.Of(first), Stats.Of(marker));
    }
}
