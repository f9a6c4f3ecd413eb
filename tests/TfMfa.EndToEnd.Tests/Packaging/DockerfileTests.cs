using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.Packaging;

/// <summary>Without Docker: the Dockerfile's own publish commands work and produce its entrypoint (the container tests build and run the image itself).</summary>
public sealed partial class DockerfileTests
{
    [GeneratedRegex(@"^RUN .*?(dotnet (?:restore|publish) .+)$", RegexOptions.Multiline)]
    private static partial Regex DotnetCommands();

    [GeneratedRegex(@"^ENTRYPOINT \[""dotnet"", ""(?<dll>/app/[^""]+)""\]", RegexOptions.Multiline)]
    private static partial Regex Entrypoint();

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

            var entrypoint = Entrypoint().Match(dockerfile);
            Assert.True(entrypoint.Success, "the Dockerfile needs an absolute ENTRYPOINT [\"dotnet\", \"/app/...\"]");
            Assert.True(File.Exists(Path.Combine(output, entrypoint.Groups["dll"].Value["/app/".Length..])), "the entrypoint is not in the published output");
            Assert.True(File.Exists(Path.Combine(output, "tfmfa.runtimeconfig.json")));
            Assert.Equal(2, DotnetCommands().Matches(dockerfile).Count);
            Assert.DoesNotMatch(@"(?m)^USER ", dockerfile);
            Assert.Matches(@"sha256sum -c", dockerfile);
        }
        finally { Directory.Delete(output, recursive: true); }
    }
}
