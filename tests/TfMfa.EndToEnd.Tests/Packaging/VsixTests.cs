using System.IO.Compression;

namespace TfMfa.EndToEnd.Packaging;

/// <summary>The .vsix CI built (azure-pipelines/build-vsix, TFMFA_VSIX): what the agent downloads for TfMfa@1.</summary>
public sealed class VsixTests
{
    /// <summary>
    /// A budget: the extension is downloaded by every agent that runs the task the first time. 34.4 MB at issue 21
    /// (47.5 MB before; docs/performance.md, section 8): a budget just above it, so a heavier build shows up here.
    /// </summary>
    private const long MaxBytes = 38_000_000;

    private static string Vsix()
    {
        if (Environment.GetEnvironmentVariable("TFMFA_VSIX") is { Length: > 0 } path && File.Exists(path)) return path;
        const string why = "TFMFA_VSIX is not set to a built .vsix; run azure-pipelines/build-vsix (needs npm for tfx-cli) and point TFMFA_VSIX at its output";
        if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_VSIX") == "1") Assert.Fail(why);
        Assert.Skip(why);
        return "";
    }

    [Fact]
    public void The_vsix_holds_the_task_the_shim_and_a_binary_for_every_platform_within_its_size_budget()
    {
        var path = Vsix();
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        foreach (var expected in new[] { "extension.vsixmanifest", "task/task.json", "task/index.js",
                     "task/bin/linux-x64/tfmfa", "task/bin/linux-arm64/tfmfa", "task/bin/win-x64/tfmfa.exe", "task/bin/osx-arm64/tfmfa" })
            Assert.Contains(expected, entries);
        // Only the program per platform: no symbols or stray files.
        Assert.All(entries.Where(e => e.StartsWith("task/bin/", StringComparison.Ordinal) && !e.EndsWith('/')),
            e => Assert.Matches(@"^task/bin/[a-z0-9-]+/tfmfa(\.exe)?$", e));
        var size = new FileInfo(path).Length;
        Assert.True(size < MaxBytes, $"the .vsix is {size / 1_000_000.0:0.0} MB");
    }
}
