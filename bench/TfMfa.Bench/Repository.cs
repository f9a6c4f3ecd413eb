using CliWrap;
using CliWrap.Buffered;

namespace TfMfa.Bench;

/// <summary>Where things are, and the program built the ways the benchmark compares.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();
    public static string Artifacts => Path.Combine(Root, "bench", "artifacts");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "TfMfa.sln"))) return directory.FullName;
        throw new InvalidOperationException("run the benchmark from the repository (TfMfa.sln not found)");
    }

    /// <param name="Environment">Runtime settings the build ships with (the image's <c>ENV DOTNET_*</c> lines).</param>
    public sealed record Build(string Name, string? EntryPoint, string Note, IReadOnlyDictionary<string, string?>? Environment = null);

    /// <summary>The Dockerfile's <c>ENV DOTNET_*</c> settings: the image's tfmfa runs with them, so its figures do too.</summary>
    public static IReadOnlyDictionary<string, string?> ImageRuntimeSettings() =>
        File.ReadLines(Path.Combine(Root, "Dockerfile"))
            .Where(l => l.StartsWith("ENV DOTNET_", StringComparison.Ordinal))
            .Select(l => l["ENV ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => (string?)p[1]);

    /// <summary>Publishes the action as a build flavour; null entry point when it cannot be built, with the reason.</summary>
    public static async Task<Build> PublishAsync(string name, string[] extraArguments, bool native = false)
    {
        var output = Path.Combine(Artifacts, name);
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        string[] arguments = ["publish", Path.Combine(Root, "src", "TfMfa.Action", "TfMfa.Action.csproj"), "-c", "Release", "-o", output, .. extraArguments];
        var result = await Cli.Wrap("dotnet").WithArguments(arguments).WithWorkingDirectory(Root)
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        var warnings = result.StandardOutput.Split('\n').Where(l => l.Contains("warning IL", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("warning IL", StringComparison.Ordinal) + 8)..].Split(':')[0]).ToList();
        var entry = native ? Path.Combine(output, "tfmfa") : Path.Combine(output, "tfmfa.dll");
        if (result.ExitCode != 0 || !File.Exists(entry))
        {
            var error = result.StandardOutput.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))?.Trim() ?? "publish failed";
            return new Build(name, null, error.Length > 200 ? error[..200] + "..." : error);
        }
        var note = warnings.Count == 0 ? "" : $"{warnings.Count} trim/AOT warnings ({string.Join(", ", warnings.Distinct().Take(4))})";
        return new Build(name, entry, note);
    }

    public static (string Program, string[] Arguments) Command(Build build) =>
        build.EntryPoint!.EndsWith(".dll", StringComparison.Ordinal) ? ("dotnet", [build.EntryPoint]) : (build.EntryPoint, []);
}
