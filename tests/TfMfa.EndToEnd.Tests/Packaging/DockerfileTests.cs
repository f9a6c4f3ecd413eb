using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.Packaging;

/// <summary>Without Docker: the Dockerfile's own publish commands work and produce its entrypoint, a program that needs no .NET runtime (the container tests build and run the image itself).</summary>
public sealed partial class DockerfileTests
{
    [GeneratedRegex(@"^RUN .*?(dotnet (?:restore|publish) .+)$", RegexOptions.Multiline)]
    private static partial Regex DotnetCommands();

    [GeneratedRegex(@"^ENTRYPOINT \[""(?<program>/app/[^""]+)""\]", RegexOptions.Multiline)]
    private static partial Regex Entrypoint();

    [GeneratedRegex(@"^ARG (?<name>[A-Z_]+_IMAGE)=(?<image>\S+)$", RegexOptions.Multiline)]
    private static partial Regex BaseImages();

    [Fact(Timeout = 300_000)]
    public async Task The_dockerfiles_publish_command_produces_its_entrypoint()
    {
        var root = RepositoryRoot.Path;
        var dockerfile = File.ReadAllText(Path.Combine(root, "Dockerfile"));
        var output = Directory.CreateTempSubdirectory("tfmfa-publish-").FullName;
        try
        {
            foreach (Match command in DotnetCommands().Matches(dockerfile))
            {
                // As the image builds it for an amd64 runner.
                var words = command.Groups[1].Value.Replace("\"$RID\"", "linux-x64", StringComparison.Ordinal)
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => w == "/app" ? output : w).ToList();
                var result = await Cli.Wrap(words[0]).WithArguments(words.Skip(1)).WithWorkingDirectory(root)
                    .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(TestContext.Current.CancellationToken);
                Assert.True(result.ExitCode == 0, $"{command.Groups[1].Value}\n{result.StandardOutput}\n{result.StandardError}");
            }

            // The final stage is FROM scratch: the entrypoint is the self-contained program, one file that needs no .NET runtime.
            var entrypoint = Entrypoint().Match(dockerfile);
            Assert.True(entrypoint.Success, "the Dockerfile needs an absolute ENTRYPOINT [\"/app/...\"]");
            var program = Path.Combine(output, entrypoint.Groups["program"].Value["/app/".Length..]);
            Assert.True(File.Exists(program), "the entrypoint is not in the published output");
            if (!OperatingSystem.IsWindows()) Assert.True(File.GetUnixFileMode(program).HasFlag(UnixFileMode.UserExecute));
            Assert.False(File.Exists(Path.Combine(output, "tfmfa.runtimeconfig.json")), "a framework-dependent build needs a .NET runtime the image does not have");
            Assert.Equal(2, DotnetCommands().Matches(dockerfile).Count);
            Assert.Matches(@"(?m)^FROM scratch$", dockerfile);
            Assert.Contains("COPY --from=build /app/tfmfa /app/tfmfa", dockerfile);
            // Production defaults name real images by exact tag; CI passes its stand-ins as build arguments.
            var bases = BaseImages().Matches(dockerfile).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["image"].Value);
            Assert.Equal(["DEBIAN_IMAGE", "SDK_IMAGE"], bases.Keys.Order());
            Assert.All(bases.Values, image => Assert.Matches(@"^[a-z0-9./-]+:[0-9][\w.-]*$", image));
            Assert.True(File.Exists(Path.Combine(root, "image", "assemble-rootfs")));
            Assert.DoesNotMatch(@"(?m)^USER ", dockerfile);
            Assert.Matches(@"sha256sum -c", dockerfile);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
