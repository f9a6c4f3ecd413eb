using System.Runtime.InteropServices;
using System.Text;
using TfMfa.Aws;
using TfMfa.AzurePipelines;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Gate;
using TfMfa.GitHub;
using TfMfa.Hosting;
using TfMfa.RunLog;
using TfMfa.Terminal;
using TfMfa.Terraform;
using TfMfa.Terraform.Releases;

// Composition root: pick the front end from the environment (GitHub Actions, Azure Pipelines, else the terminal),
// wire signals to cancellation, and return the exit code.
var environment = new ProcessEnvironment();
// Our own buffered writers (Console.Out flushes every line); the run log decides when to flush.
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
await using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
PipeCapacity.WidenStandardOutput();
var clock = TimeProvider.System;
IFrontEnd frontEnd =
    environment.Get("GITHUB_ACTIONS") == "true"
        ? new GitHubFrontEnd(environment, new GitHubRunLog(stdout, stderr, environment.Get("GITHUB_OUTPUT"), environment.Get("GITHUB_STEP_SUMMARY")), clock)
    : string.Equals(environment.Get("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase)
        ? new AzurePipelinesFrontEnd(environment, new AzurePipelinesRunLog(stdout, environment.Get("AGENT_TEMPDIRECTORY")), clock)
    : new TerminalFrontEnd(environment, new TerminalRunLog(stdout, stderr));
using var log = frontEnd.Log;

// Before any child exists: terraform must not read this process's environment or memory through /proc.
if (ProcessHardening.MakeUnreadableToChildren() is { } hardeningFailure)
    log.Warning($"{hardeningFailure}: terraform could read TfMfa's environment through /proc.");
// Before any child exists: nothing terraform runs may connect to the runtime's diagnostics port.
if (ProcessHardening.CloseDiagnosticsPort() is { } diagnosticsFailure)
    log.Warning($"{diagnosticsFailure}: code terraform runs as TfMfa's user could read TfMfa's environment through it. Set DOTNET_EnableDiagnostics=0 for TfMfa.");
// Whatever terraform's children detach is re-parented here, so it can be found and killed after each run.
if (OperatingSystem.IsLinux() && ProcessTree.BecomeSubreaper() is { } subreaperFailure)
    log.Warning($"{subreaperFailure}: a process terraform detaches could outlive its run.");
using var sandbox = new TerraformSandbox(environment, killsLeftovers: OperatingSystem.IsLinux());

using var cancellation = new CancellationTokenSource();
void Cancel(PosixSignalContext context)
{
    context.Cancel = true; // keep running until terraform has been interrupted and has let go of its lock
    cancellation.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

var services = new GateServices(
    environment,
    frontEnd,
    (aws, region) => new AwsSdkStsClient(aws.LongTerm!, region, aws.StsEndpointUrl),
    new CliWrapTerraformProcess("terraform", CliWrapTerraformProcess.DefaultGracePeriod, environment, sandbox, log.Warning),
    clock,
    new ToolInstaller(ToolInstaller.CreateHttpClient, Path.Combine(Path.GetTempPath(), $"tfmfa-tools-{Environment.ProcessId}")));

return await new GateRunner(services).RunAsync(args, cancellation.Token);
