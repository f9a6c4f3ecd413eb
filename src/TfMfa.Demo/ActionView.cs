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

    /// <summary>The output variables the last run set on Azure Pipelines (<c>task.setvariable</c>).</summary>
    public static Dictionary<string, string> LastOutputs { get; } = [];

    private static void Show(string line)
    {
        if (line.StartsWith("::add-mask::", StringComparison.Ordinal) || line == "::endgroup::") return;
        // The agent's view: secrets and variables are swallowed, issues shown as such.
        if (line.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal) || line == "##[endgroup]" || line.StartsWith("##vso[task.uploadsummary]", StringComparison.Ordinal)) return;
        const string setVariable = "##vso[task.setvariable variable=";
        if (line.StartsWith(setVariable, StringComparison.Ordinal))
        {
            var name = line[setVariable.Length..line.IndexOf(';')];
            lock (LastOutputs) LastOutputs[name] = Unescape(line[(line.IndexOf(']') + 1)..]);
            return;
        }
        Screen.Action(Render(line));
    }

    private static string Render(string line)
    {
        foreach (var (command, label) in new[] { ("##vso[task.logissue type=error;]", "Error: "), ("##vso[task.logissue type=warning;]", "Warning: "), ("##[group]", "▸ ") })
            if (line.StartsWith(command, StringComparison.Ordinal))
                return label + Unescape(line[command.Length..]);
        foreach (var (command, label) in new[] { ("notice", "Notice: "), ("warning", "Warning: "), ("error", "Error: "), ("group", "▸ ") })
        {
            var prefix = $"::{command}::";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return label + Unescape(line[prefix.Length..]);
        }
        return line;
    }

    private static string Unescape(string text) =>
        text.Replace("%0A", "\n", StringComparison.Ordinal).Replace("%0D", "", StringComparison.Ordinal).Replace("%AZP25", "%", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}
