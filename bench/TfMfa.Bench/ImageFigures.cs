using CliWrap;
using CliWrap.Buffered;

namespace TfMfa.Bench;

/// <summary>Figure 7: runs tests/container/measure-image when a Docker engine answers.</summary>
public static class ImageFigures
{
    public static async Task<string> MeasureAsync()
    {
        var info = await Cli.Wrap("docker").WithArguments(["info"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        if (info.ExitCode != 0) return "not measured: no Docker engine answers (install docker.io; tests/container/build-image starts dockerd)";
        var script = Path.Combine(Repository.Root, "tests", "container", "measure-image");
        var result = await Cli.Wrap(script).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        return result.ExitCode == 0 ? result.StandardOutput : $"measure-image failed (exit {result.ExitCode}): {result.StandardError.Trim().Split('\n').LastOrDefault()}";
    }
}
