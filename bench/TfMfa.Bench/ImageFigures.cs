using CliWrap;
using CliWrap.Buffered;

namespace TfMfa.Bench;

/// <summary>
/// Figure 7: the image before issue 21 (<see cref="ReferenceCommit"/>'s Dockerfile) and today's, both built here by
/// tests/container/build-image from the same stand-in bases, measured side by side by tests/container/measure-image.
/// </summary>
public static class ImageFigures
{
    /// <summary>The last commit before issue 21's image (.NET runtime image, framework-dependent ReadyToRun build).</summary>
    public const string ReferenceCommit = "13051a0";

    /// <summary>What measure-image printed (or why nothing was measured), and from its table each image's size and median start.</summary>
    public sealed record Result(string Text, (long Bytes, double FirstLineMs)? Reference, (long Bytes, double FirstLineMs)? Today);

    public static async Task<Result> MeasureAsync(bool buildTime = true)
    {
        var text = await MeasureTextAsync(buildTime);
        var rows = System.Text.RegularExpressions.Regex.Matches(text, @"^\| `[^`]+` \| (?<mb>\d+) MB \|.*\| (?<ms>\d+) ms \(", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => (long.Parse(m.Groups["mb"].Value) * 1_000_000, double.Parse(m.Groups["ms"].Value))).ToList();
        return rows.Count == 2 ? new Result(text, rows[0], rows[1]) : new Result(text, null, null);
    }

    private static async Task<string> MeasureTextAsync(bool buildTime)
    {
        var info = await Cli.Wrap("docker").WithArguments(["info"]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        if (info.ExitCode != 0) return "not measured: no Docker engine answers (install docker.io; tests/container/build-image starts dockerd)";
        var container = Path.Combine(Repository.Root, "tests", "container");
        var reference = await RunAsync(Path.Combine(container, "build-image"), ["--ref", ReferenceCommit]);
        var current = await RunAsync(Path.Combine(container, "build-image"), []);
        if ((reference.Error ?? current.Error) is { } error) return error;
        var figures = await RunAsync(Path.Combine(container, "measure-image"),
            [.. buildTime ? ["--build-time"] : Array.Empty<string>(), LastLine(reference.Output), LastLine(current.Output)]);
        return figures.Error ?? $"reference: commit {ReferenceCommit}'s Dockerfile; today: the work tree's.\n\n{figures.Output}";
    }

    private static string LastLine(string output) => output.Trim().Split('\n')[^1].Trim();

    private static async Task<(string Output, string? Error)> RunAsync(string script, string[] arguments)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var result = await Cli.Wrap(script).WithArguments(arguments).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
        return result.ExitCode == 0
            ? (result.StandardOutput, null)
            : ("", $"{Path.GetFileName(script)} {string.Join(' ', arguments)} failed (exit {result.ExitCode}): {result.StandardError.Trim().Split('\n').LastOrDefault()}");
    }
}
