namespace TfMfa.Bench;

/// <summary>
/// Figure 3: process start to the first log line, and to terraform's first byte when no MFA is needed, for each
/// build the benchmark compares (the image's and the Azure task's single-file builds among them).
/// </summary>
public static class Startup
{
    public const string TerraformMarker = "TERRAFORM-FIRST-BYTE";

    /// <summary>Runs per stand-in world: each run adds an MFA device to the CI user, and IAM (so the stand-in) allows 8.</summary>
    private const int RunsPerWorld = 6;

    public sealed record Result(Stats FirstLine, Stats FirstTerraformByte);

    public static async Task<Result> MeasureAsync(Repository.Build build, int runs)
    {
        var first = new List<double>();
        var marker = new List<double>();
        for (var done = 0; done < runs + 2;)
        {
            await using var world = await World.StartAsync();
            world.Config("default-level: never\n");
            var terraform = world.FakeTerraform($"echo {TerraformMarker}");
            for (var i = 0; i < RunsPerWorld && done < runs + 2; i++, done++)
            {
                var (environment, _) = world.Run("plan", terraform, new Dictionary<string, string> { ["init"] = "false" });
                var result = await ProcessRun.RunAsync(build, environment, TerraformMarker);
                if (result.ExitCode != 0 || result.MarkerMs is null) throw new InvalidOperationException($"exit {result.ExitCode}: {result.LastError}");
                if (done < 2) continue; // warm the disk cache first
                first.Add(result.FirstLineMs);
                marker.Add(result.MarkerMs.Value);
            }
        }
        return new Result(Stats.Of(first), Stats.Of(marker));
    }
}
