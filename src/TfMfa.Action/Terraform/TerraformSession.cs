using System.Text;
using System.Text.Json;
using TfMfa.Aws;
using TfMfa.Hosting;
using TfMfa.RunLog;
using TfMfa.Terraform.Releases;

namespace TfMfa.Terraform;

/// <summary>
/// terraform as one run uses it: the tool it resolved, the working directory, the action's
/// environment with the chosen credentials swapped in, and the log its output goes to.
/// </summary>
public sealed class TerraformSession(ITerraformProcess process, ResolvedTool tool, string workingDirectory, IEnvironment environment, string region, IRunLog log)
{
    /// <summary>The image's own terraform runs as the process's default; a fetched one by its path.</summary>
    private string? Executable => tool.Executable == "terraform" ? null : tool.Executable;

    private string Name => tool.Executable == "terraform" ? "terraform" : Path.GetFileName(tool.Executable);

    private TerraformInvocation Invocation(IReadOnlyList<string> arguments, AwsCredentials? credentials) =>
        new(arguments, workingDirectory, TerraformEnvironment.Changes(environment.All(), credentials, region), Executable);

    /// <summary>
    /// Runs <paramref name="commands"/> in order, each in its own log group, until one fails; returns
    /// the first non-zero exit code, else 0.
    /// </summary>
    /// <param name="credentials">What terraform runs with; null leaves the keys as given.</param>
    public async Task<int> RunAsync(AwsCredentials? credentials, IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken)
    {
        foreach (var arguments in commands)
        {
            int exitCode;
            using (log.Group($"{Name} {string.Join(' ', arguments)}"))
            using (log.ToolOutputSection())
            {
                exitCode = await process.RunAsync(Invocation(arguments, credentials),
                    (output, token) => log.ToolOutputAsync(output, isError: false, token), (output, token) => log.ToolOutputAsync(output, isError: true, token), cancellationToken);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (exitCode != 0)
            {
                log.Error($"terraform {arguments[0]} failed with exit code {exitCode}; see its output above.");
                log.AppendSummary(StepSummary.TerraformFinished(arguments, exitCode));
                return exitCode;
            }
        }
        return 0;
    }

    /// <summary>A saved plan as a request shows it: <c>terraform show -json</c> and the rendered plan, redacted.</summary>
    /// <param name="credentials">What the plan ran with: a backend that needs MFA to be read is read with the same.</param>
    public async Task<PlanSummary> ShowAsync(string planFile, AwsCredentials? credentials, CancellationToken cancellationToken)
    {
        var json = await ReadAsync(["show", "-json", planFile], credentials, cancellationToken);
        var rendered = await ReadAsync(["show", "-no-color", planFile], credentials, cancellationToken);
        try
        {
            return PlanSummary.From(json, rendered, PlanFiles.Sha256Of(planFile), log.Redact);
        }
        catch (JsonException e)
        {
            throw new TfMfaException($"terraform show -json printed no plan TfMfa can read ({e.Message}), so nobody is asked to approve it.", e);
        }
    }

    /// <summary>Not into the log: the JSON holds sensitive values as they are.</summary>
    private async Task<string> ReadAsync(string[] arguments, AwsCredentials? credentials, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        var exitCode = await process.RunAsync(Invocation(arguments, credentials), line => output.AppendLine(line), line => errors.AppendLine(line), cancellationToken);
        if (exitCode != 0)
            throw new TfMfaException($"terraform {string.Join(' ', arguments[..^1])} could not read the saved plan (exit code {exitCode}): {log.Redact(errors.ToString().Trim())}");
        return output.ToString();
    }

    private string? _version;

    /// <summary>The version that will run, for the request: <c>terraform version -json</c>, best effort, once a run (an apply may ask twice).</summary>
    public async Task<string> VersionAsync(CancellationToken cancellationToken) => _version ??= await ReadVersionAsync(cancellationToken);

    private async Task<string> ReadVersionAsync(CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        try
        {
            var exitCode = await process.RunAsync(Invocation(["version", "-json"], null), line => output.AppendLine(line), _ => { }, cancellationToken);
            if (exitCode == 0 && JsonDocument.Parse(output.ToString()).RootElement.TryGetProperty("terraform_version", out var version))
                return version.GetString() ?? "unknown";
        }
        catch (Exception e) when (e is JsonException or TfMfaException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        return "unknown";
    }
}
