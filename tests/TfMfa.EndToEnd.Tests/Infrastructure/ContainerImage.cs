using CliWrap;
using CliWrap.Buffered;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// The image under test: <c>TFMFA_IMAGE</c> when set, else what <c>tests/container/build-image</c>
/// builds (once per test run). Without a Docker engine the container tests skip and say how to get
/// one, unless CI demands them (<c>TFMFA_REQUIRE_DOCKER=1</c>, set by <c>.ci/run</c>).
/// </summary>
public static class ContainerImage
{
    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    public static async Task<string> RequireAsync()
    {
        if (Environment.GetEnvironmentVariable("TFMFA_IMAGE") is { Length: > 0 } given) return given;
        if (!await EngineAnswersAsync())
        {
            const string why = "no Docker engine answers (docker info failed): install Debian's docker.io and run tests/container/build-image as root " +
                               "(it starts dockerd --bridge=none --iptables=false and builds the image), or set TFMFA_IMAGE to an image built from the Dockerfile";
            if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_DOCKER") == "1") Assert.Fail(why);
            Assert.Skip(why);
        }
        return await Built.Value;
    }

    private static async Task<bool> EngineAnswersAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var info = await Cli.Wrap("docker").WithArguments(["info", "--format", "{{.ServerVersion}}"])
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
            return info.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> BuildAsync()
    {
        var script = Path.Combine(RepositoryRoot.Path, "tests", "container", "build-image");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var result = await Cli.Wrap(script).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (result.ExitCode != 0 || lines.Length == 0)
            throw new InvalidOperationException($"tests/container/build-image failed (exit {result.ExitCode}):\n{result.StandardError}");
        return lines[^1].Trim();
    }
}

/// <summary>The repository's root, found from the test binaries upwards.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "TfMfa.sln"))) return directory.FullName;
        throw new InvalidOperationException("TfMfa.sln not found above " + AppContext.BaseDirectory);
    }
}
