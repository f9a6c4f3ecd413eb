using CliWrap;

namespace TfMfa.Demo;

/// <summary>Runs the real tfmfa program as a runner would and shows its log as the runner's log view does (masks hidden, commands rendered).</summary>
public static class ActionView
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var result = await Cli.Wrap("dotnet")
            .WithArguments([DemoWorld.ActionProgram])
            .WithEnvironmentVariables(environment)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(Show))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(Show))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(cancellationToken);
        return result.ExitCode;
    }

    private static void Show(string line)
    {
        if (line.StartsWith("::add-mask::", StringComparison.Ordinal) || line == "::endgroup::") return;
        Screen.Action(Render(line));
    }

    private static string Render(string line)
    {
        foreach (var (command, label) in new[] { ("notice", "Notice: "), ("warning", "Warning: "), ("error", "Error: "), ("group", "▸ ") })
        {
            var prefix = $"::{command}::";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return label + Unescape(line[prefix.Length..]);
        }
        return line;
    }

    private static string Unescape(string text) =>
        text.Replace("%0A", "\n", StringComparison.Ordinal).Replace("%0D", "", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}
