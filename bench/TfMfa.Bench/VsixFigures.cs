using System.IO.Compression;
using CliWrap;
using CliWrap.Buffered;

namespace TfMfa.Bench;

/// <summary>
/// Figure 8: what each platform's tfmfa and each trimming choice costs the Azure extension. Each binary is
/// published with -p:TfMfaTaskBinary=true and deflated as a zip (the .vsix) stores it; the shipped build is what
/// azure-pipelines/build-vsix makes: the bundle left uncompressed and packed with brotli as pack-binary.js packs it.
/// The reference is <see cref="ImageFigures.ReferenceCommit"/>'s sources, published the same way.
/// </summary>
public static class VsixFigures
{
    public static readonly string[] Platforms = ["linux-x64", "linux-arm64", "win-x64", "osx-arm64"];

    /// <summary>The feature switches the task binary sets; empty restores the SDK's defaults.</summary>
    private static readonly string[] SwitchesAtDefaults = [.. new[] { "DebuggerSupport", "EventSourceSupport", "MetricsSupport",
        "HttpActivityPropagationSupport", "MetadataUpdaterSupport", "XmlResolverIsNetworkingEnabledByDefault" }.Select(s => $"-p:{s}=")];

    /// <summary>The bundle left uncompressed, as build-vsix publishes it for brotli.</summary>
    private static readonly string[] Uncompressed = ["-p:EnableCompressionInSingleFile=false"];

    /// <summary>A published binary: bytes on disk, deflated, and brotli-packed (measured for the shipped build only).</summary>
    public sealed record Binary(string Build, string Platform, long Bytes, long Deflated, long? Brotli);

    /// <summary>The tables, and the four shipped binaries, brotli-packed: all but a few kilobytes of the .vsix.</summary>
    public sealed record Result(string Text, long ShippedBytes);

    public static async Task<Result> MeasureAsync()
    {
        var reference = await ReferenceSourcesAsync();
        var lines = new List<string>
        {
            "Each platform's binary: before issue 21, trimmed (full trimming, Octokit rooted, feature switches; its bundle compressed), and shipped " +
            "(the same build, its bundle uncompressed, packed with brotli at quality 11, window 2^24):",
            "",
            "| platform | before: bytes on disk / deflated | trimmed: bytes on disk / deflated | shipped: bytes on disk / brotli |",
            "|---|---|---|---|",
        };
        long referenceTotal = 0, trimmedTotal = 0, shippedTotal = 0;
        foreach (var platform in Platforms)
        {
            var before = await PublishAsync(reference, "reference", platform, []);
            var trimmed = await PublishAsync(Repository.Root, "trimmed", platform, []);
            var shipped = await PublishAsync(Repository.Root, "shipped", platform, Uncompressed, brotli: true);
            referenceTotal += before.Deflated;
            trimmedTotal += trimmed.Deflated;
            shippedTotal += shipped.Brotli!.Value;
            lines.Add($"| {platform} | {Mb(before.Bytes)} / {Mb(before.Deflated)} | {Mb(trimmed.Bytes)} / {Mb(trimmed.Deflated)} | {Mb(shipped.Bytes)} / {Mb(shipped.Brotli.Value)} |");
        }
        lines.Add($"| all four | {Mb(referenceTotal)} | {Mb(trimmedTotal)} | {Mb(shippedTotal)} |");
        lines.Add("");
        lines.Add("What each choice costs, on linux-x64 (each row changes one thing from the row above):");
        lines.Add("");
        lines.Add("| build | bytes on disk | deflated | change |");
        lines.Add("|---|---|---|---|");
        Binary? previous = null;
        foreach (var (name, root, arguments) in new (string, string, string[])[]
                 {
                     ("before issue 21: partial trimming; Octokit, YamlDotNet, AWSSDK.Core, AWSSDK.SecurityToken, BouncyCastle rooted", reference, []),
                     ("full trimming, only Octokit rooted, feature switches at their defaults", Repository.Root, SwitchesAtDefaults),
                     ("+ feature switches off (debugger, EventSource, metrics, HTTP activity propagation, hot reload, XML resolver networking): the task's build", Repository.Root, []),
                     ("the same without compression in the bundle (build-vsix's publish, before brotli)", Repository.Root, Uncompressed),
                     ("the image's build: + ReadyToRun, bundle uncompressed (registries compress layers)", Repository.Root, ["-p:PublishReadyToRun=true", "-p:EnableCompressionInSingleFile=false"]),
                 })
        {
            var binary = await PublishAsync(root, name, "linux-x64", arguments);
            var change = previous is null ? "" : $"{Signed(binary.Bytes - previous.Bytes)} / {Signed(binary.Deflated - previous.Deflated)}";
            lines.Add($"| {name} | {Mb(binary.Bytes)} | {Mb(binary.Deflated)} | {change} |");
            previous = binary;
        }
        if (Environment.GetEnvironmentVariable("TFMFA_VSIX") is { Length: > 0 } vsix && File.Exists(vsix))
        {
            using var zip = ZipFile.OpenRead(vsix);
            lines.Add("");
            lines.Add($"The .vsix azure-pipelines/build-vsix built (`TFMFA_VSIX`): {Mb(new FileInfo(vsix).Length)}, {zip.Entries.Count(e => e.Length > 0)} files: " +
                      string.Join(", ", zip.Entries.Where(e => e.Length > 0).OrderByDescending(e => e.CompressedLength).Select(e => $"{e.FullName} {Mb(e.CompressedLength)}")));
        }
        return new Result(string.Join('\n', lines), shippedTotal);
    }

    private static string Mb(long bytes) => $"{bytes / 1_000_000.0:0.00} MB";

    private static string Signed(long bytes) => bytes >= 0 ? $"+{Mb(bytes)}" : $"−{Mb(-bytes)}";

    /// <summary>The reference commit's program sources, unpacked under bench/artifacts.</summary>
    private static async Task<string> ReferenceSourcesAsync()
    {
        var root = Path.Combine(Repository.Artifacts, "vsix-reference-src");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        var archive = Path.Combine(Repository.Artifacts, "vsix-reference.tar");
        await Cli.Wrap("git").WithArguments(["-C", Repository.Root, "archive", "-o", archive, ImageFigures.ReferenceCommit,
            "Directory.Build.props", "Directory.Packages.props", "src/TfMfa.Action"]).ExecuteAsync();
        await Cli.Wrap("tar").WithArguments(["-C", root, "-xf", archive]).ExecuteAsync();
        File.Delete(archive);
        return root;
    }

    private static async Task<Binary> PublishAsync(string root, string build, string platform, string[] extra, bool brotli = false)
    {
        var output = Path.Combine(Repository.Artifacts, "vsix", platform);
        if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        // MSBuild skips the trimmer when only properties change (its inputs and outputs are files), which left a
        // feature-switch row measuring the build before it; each build starts from a clean intermediate folder.
        var intermediate = Path.Combine(root, "src", "TfMfa.Action", "obj", "Release", "net10.0", platform);
        if (Directory.Exists(intermediate)) Directory.Delete(intermediate, recursive: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var result = await Cli.Wrap("dotnet").WithArguments(["publish", Path.Combine(root, "src", "TfMfa.Action", "TfMfa.Action.csproj"), "-c", "Release",
                "-r", platform, "-p:TfMfaTaskBinary=true", "-o", output, "--nologo", .. extra])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
        var program = Path.Combine(output, platform.StartsWith("win", StringComparison.Ordinal) ? "tfmfa.exe" : "tfmfa");
        if (result.ExitCode != 0 || !File.Exists(program))
            throw new InvalidOperationException($"publish of {build} for {platform} failed:\n{result.StandardOutput}");
        var bytes = await File.ReadAllBytesAsync(program);
        using var deflated = new MemoryStream();
        await using (var deflate = new DeflateStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) await deflate.WriteAsync(bytes);
        return new Binary(build, platform, bytes.Length, deflated.Length, brotli ? Brotli(bytes) : null);
    }

    /// <summary>The size azure-pipelines/pack-binary.js packs it to: brotli quality 11, a 2^24-byte window (the most either allows).</summary>
    private static long Brotli(byte[] bytes)
    {
        var packed = new byte[BrotliEncoder.GetMaxCompressedLength(bytes.Length)];
        if (!BrotliEncoder.TryCompress(bytes, packed, out var written, quality: 11, window: 24))
            throw new InvalidOperationException($"brotli could not pack {bytes.Length} bytes");
        return written;
    }
}
