using System.Text;
using CliWrap;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// Runs the image the way GitHub's runner runs a container action (its DockerCommandManager):
/// the workspace at <c>/github/workspace</c>, also the working directory; <c>HOME=/github/home</c>;
/// the file commands under <c>/github/file_commands</c> and the event at
/// <c>/github/workflow/event.json</c>; every job variable passed by name (<c>-e NAME</c>), the
/// runner's tokens among them; SIGTERM to the container on cancel. Not copied from the runner: the
/// Docker socket mount (nothing here needs it, and it would make the test container root on this
/// machine) and the job network: containers share the host's, to reach the stand-ins on 127.0.0.1.
/// </summary>
public sealed class ContainerAction(GateScenario scenario, string image)
{
    public string Name { get; } = "tfmfa-test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The runner's own variables, passed to every container action.</summary>
    public static readonly IReadOnlyDictionary<string, string> RunnerTokens = new Dictionary<string, string>
    {
        ["GITHUB_TOKEN"] = "ghs_runner_job_token_7f3a",
        ["ACTIONS_RUNTIME_TOKEN"] = "runtime-token-value-9c2e",
        ["ACTIONS_RUNTIME_URL"] = "https://pipelines.actions.githubusercontent.com/abc/",
        ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "oidc-request-token-41d7",
        ["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://pipelines.actions.githubusercontent.com/abc/idtoken",
        ["CI"] = "true",
    };

    /// <summary>The runner's user on GitHub-hosted runners: the checkout and HOME belong to it.</summary>
    public const int RunnerUid = 1001;

    /// <summary>Runs to the end; <paramref name="onLine"/> sees each line as it comes (stdout and stderr).</summary>
    public async Task<ActionResult> RunAsync(TimeSpan timeout, Func<string, ContainerAction, Task>? onLine = null)
    {
        // As on a runner, the workspace and HOME are the runner user's, not root's (TfMfa runs terraform as their owner).
        foreach (var directory in new[] { scenario.Workspace, scenario.Home })
            await Cli.Wrap("chown").WithArguments(["-R", $"{RunnerUid}:{RunnerUid}", directory]).ExecuteAsync();
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in scenario.Environment()) variables[name] = InContainer(value);
        foreach (var (name, value) in RunnerTokens) variables[name] = value;
        variables["HOME"] = "/github/home";
        variables["GITHUB_WORKSPACE"] = "/github/workspace";
        variables.Remove("USER");
        variables.Remove("PATH"); // the image's own PATH

        var arguments = new List<string>
        {
            "run", "--rm", "--name", Name, "--network", "host", "--workdir", "/github/workspace",
            "-v", $"{scenario.Workspace}:/github/workspace",
            "-v", $"{scenario.Home}:/github/home",
            "-v", $"{scenario.FileCommands}:/github/file_commands",
            "-v", $"{scenario.WorkflowDirectory}:/github/workflow",
        };
        foreach (var name in variables.Keys.Order(StringComparer.Ordinal)) arguments.AddRange(["-e", name]);
        arguments.Add(image);

        // The docker CLI reads each -e NAME's value from its own environment, as the runner's does.
        var cliEnvironment = new Dictionary<string, string?>(variables);
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if ((name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("INPUT_", StringComparison.Ordinal)
                 || name.StartsWith("TF_", StringComparison.Ordinal)) && !variables.ContainsKey(name))
                cliEnvironment[name] = null;
        cliEnvironment["PATH"] = Environment.GetEnvironmentVariable("PATH");

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        async Task Line(StringBuilder into, string line)
        {
            lock (into) into.AppendLine(line);
            if (onLine is not null) await onLine(line, this);
        }
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            var result = await Cli.Wrap("docker").WithArguments(arguments).WithEnvironmentVariables(cliEnvironment)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(line => Line(stdout, line)))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(line => Line(stderr, line)))
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(cancellation.Token);
            return new ActionResult(result.ExitCode, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            await Cli.Wrap("docker").WithArguments(["rm", "-f", Name]).WithValidation(CommandResultValidation.None).ExecuteAsync(CancellationToken.None);
        }
    }

    /// <summary>What the runner does when a run is cancelled.</summary>
    public Task SendSigtermAsync() =>
        Cli.Wrap("docker").WithArguments(["kill", "--signal", "TERM", Name]).WithValidation(CommandResultValidation.None).ExecuteAsync();

    /// <summary>Host paths in the scenario's variables, as the container sees them.</summary>
    private string InContainer(string value) => value
        .Replace(scenario.Workspace, "/github/workspace", StringComparison.Ordinal)
        .Replace(scenario.FileCommands, "/github/file_commands", StringComparison.Ordinal)
        .Replace(scenario.WorkflowDirectory, "/github/workflow", StringComparison.Ordinal)
        .Replace(scenario.Home, "/github/home", StringComparison.Ordinal);
}
