using System.Globalization;
using System.Text.RegularExpressions;
using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Terraform.Releases;

namespace TfMfa.Inputs;

/// <summary>
/// Reads the inputs from the variables the front end's <see cref="InputConventions"/> name (the
/// runner's <c>INPUT_&lt;NAME&gt;</c>) and from <c>tfmfa plan --environment production</c> style
/// arguments, which win.
/// </summary>
public static partial class InputReader
{
    public static readonly string[] Names =
    [
        "command", "environment", "working-directory", "config", "github-token", "timeout", "init",
        "plan-file", "terraform-args", "role-to-assume", "session-duration", "aws-region", "issue-number",
        "terraform-version", "terraform-tool", "releases-url", "releases-key", "plan-sha256", "wait-mode",
    ];

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
    private static partial Regex RegionPattern();

    public static ActionInputs Read(IEnvironment environment, IReadOnlyList<string> args, InputConventions conventions)
    {
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Names)
            if (conventions.VariableName(name) is { } variable && environment.Get(variable) is { } value) raw[name] = value;
        foreach (var (name, value) in ParseArguments(args)) raw[name] = value;

        var problems = new List<string>();
        string? Raw(string name) => raw.TryGetValue(name, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
        static string Where(string name) => $"input '{name}'";

        var commandText = Raw("command");
        if (!TerraformCommandNames.TryParse(commandText, out var command))
            problems.Add(commandText is null
                ? "input 'command' is required: set it to plan or apply (with: command: plan)"
                : $"input 'command' must be plan or apply (got '{commandText}')");

        var environmentName = Raw("environment") ?? "default";
        if (environmentName.Contains(':'))
            problems.Add($"input 'environment' must not contain ':' (got '{environmentName}')");

        var workspace = Path.GetFullPath(environment.Get(conventions.WorkspaceVariable) ?? Directory.GetCurrentDirectory());
        var workingDirectoryInput = Raw("working-directory") ?? ".";
        var workingDirectory = workspace;
        var workingDirectoryResolved = false;
        try
        {
            workingDirectory = WorkspacePath.Resolve(workspace, workingDirectoryInput, "working-directory");
            workingDirectoryResolved = true;
            if (!Directory.Exists(workingDirectory))
                problems.Add($"input 'working-directory': '{workingDirectoryInput}' does not exist in the workspace {workspace}; point it at the terraform root module");
        }
        catch (ConfigException e) { problems.AddRange(e.Problems); }

        var configPath = Raw("config") ?? conventions.DefaultConfigPath;
        try { WorkspacePath.Resolve(workspace, configPath, "config"); }
        catch (ConfigException e) { problems.AddRange(e.Problems); }

        // Relative to the working directory, as terraform reads it; checked once that directory is known.
        if (Raw("plan-file") is { } planFile && workingDirectoryResolved)
        {
            try { WorkspacePath.ResolvePlanFile(workspace, workingDirectory, [.. WorkspacePath.RunnerTempVariables.Select(environment.Get).OfType<string>().Where(t => t.Length > 0)], planFile); }
            catch (ConfigException e) { problems.AddRange(e.Problems); }
        }

        var init = true;
        if (Raw("init") is { } initText && !PolicyBuilder.TryParseBoolean(initText, out init))
            problems.Add($"input 'init' must be true or false (got '{initText}')");

        var terraformArgs = (IReadOnlyList<string>)[];
        if (Raw("terraform-args") is { } argsText)
        {
            terraformArgs = ShellWords.Split(argsText, out var splitError) ?? [];
            if (splitError is not null)
                problems.Add($"input 'terraform-args': {splitError}; quote arguments as a shell would (-var 'name=a b')");
        }

        SessionDuration? sessionDuration = null;
        if (!SessionDuration.TryParse(Raw("session-duration") ?? "3600", Where("session-duration"), out sessionDuration, out var durationError))
            problems.Add(durationError!);

        var region = Raw("aws-region") ?? "us-east-1";
        if (!RegionPattern().IsMatch(region))
            problems.Add($"input 'aws-region' must be an AWS region like us-east-1 or eu-west-2 (got '{region}')");

        int? issueNumber = null;
        if (Raw("issue-number") is { } issueText)
        {
            if (int.TryParse(issueText.TrimStart('#'), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
                issueNumber = number;
            else
                problems.Add($"input 'issue-number' must be a pull request or issue number like 42 (got '{issueText}')");
        }

        var product = ReleaseProduct.Terraform;
        switch (Raw("terraform-tool")?.ToLowerInvariant())
        {
            case null or "terraform": break;
            case "opentofu" or "tofu": product = ReleaseProduct.OpenTofu; break;
            case var other: problems.Add($"input 'terraform-tool' must be terraform or opentofu (got '{other}')"); break;
        }
        var releasesUrl = Raw("releases-url");
        if (releasesUrl is not null && !(Uri.TryCreate(releasesUrl, UriKind.Absolute, out var releasesUri) && releasesUri.Scheme is "https" or "http"))
            problems.Add($"input 'releases-url' must be an http(s) URL of a mirror in HashiCorp's layout, like https://releases.example.com (got '{releasesUrl}')");
        else if (releasesUrl is not null && new Uri(releasesUrl).UserInfo.Length > 0)
            // Not echoed: what sits before the @ is a credential. TfMfa would not send it anyway, and every message names the URL.
            problems.Add("input 'releases-url' must not carry credentials (user:password@); serve the mirror to the runner without them, for example from inside the network");
        var tool = new ToolRequest(product, Raw("terraform-version"), releasesUrl, Raw("releases-key"));

        var planSha256 = Raw("plan-sha256")?.ToLowerInvariant();
        if (planSha256 is not null && (planSha256.Length != 64 || !planSha256.All(char.IsAsciiHexDigit)))
            problems.Add($"input 'plan-sha256' must be the 64 hex digits of a SHA-256, as the plan job's plan-sha256 output gives them (got '{planSha256}')");
        else if (planSha256 is not null && Raw("plan-file") is null)
            problems.Add("input 'plan-sha256' names the plan to apply, so plan-file must name that plan's file too");

        var overrides = new Dictionary<string, LocatedValue>(StringComparer.OrdinalIgnoreCase);
        if (Raw("timeout") is { } timeout) overrides["wait:timeout"] = new LocatedValue(timeout, Where("timeout"));
        if (Raw("wait-mode") is { } waitMode) overrides["wait:mode"] = new LocatedValue(waitMode, Where("wait-mode"));
        if (Raw("role-to-assume") is { } role)
            overrides[$"environments:{environmentName}:role-to-assume"] = new LocatedValue(role, Where("role-to-assume"));

        if (problems.Count > 0) throw new ConfigException(problems);

        return new ActionInputs(command, environmentName, workspace, workingDirectory, configPath, conventions.DefaultConfigPath,
            Raw("github-token"), init, Raw("plan-file"), terraformArgs, sessionDuration!, region, issueNumber, overrides, tool, planSha256);
    }

    /// <summary><c>plan --environment production --timeout=5m</c>: a leading command word, then <c>--input value</c> pairs.</summary>
    public static IEnumerable<(string Name, string Value)> ParseArguments(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (i == 0 && !arg.StartsWith('-'))
            {
                yield return ("command", arg);
                continue;
            }
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ConfigException([$"argument '{arg}' is not understood; use tfmfa <plan|apply> [--input value]..., inputs: {string.Join(", ", Names)}"]);

            var (name, value) = arg.IndexOf('=') is var eq and > 0 ? (arg[2..eq], (string?)arg[(eq + 1)..]) : (arg[2..], null);
            if (!Names.Contains(name))
                throw new ConfigException([$"option '--{name}' is not an input of tfmfa; inputs: {string.Join(", ", Names)}"]);
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new ConfigException([$"option '--{name}' needs a value"]);
                value = args[++i];
            }
            yield return (name, value);
        }
    }
}
