using System.Text;
using CliWrap;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd;

/// <summary>SIGTERM to the action while terraform applies: terraform is interrupted, releases its S3 lock, and the action exits non-zero.</summary>
public sealed class CancellationTests
{
    [Fact(Timeout = 180_000)]
    public async Task Sigterm_during_apply_interrupts_terraform_which_releases_its_state_lock()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), """

            resource "terraform_data" "slow" {
              provisioner "local-exec" {
                command = "sleep 60"
              }
            }
            """);

        var output = new StringBuilder();
        var lockSeen = false;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var variables = JobEnvironment.Isolated(scenario.Environment());
        var command = Cli.Wrap("dotnet").WithArguments([ActionProcess.ProgramPath])
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None);
        int? pid = null;
        var signalled = false;
        command = command.WithStandardOutputPipe(PipeTarget.ToDelegate(async line =>
        {
            lock (output) output.AppendLine(line);
            if (!signalled && line.Contains("terraform_data.slow: Creating...", StringComparison.Ordinal) && pid is { } id)
            {
                signalled = true;
                lockSeen = scenario.Bucket.Keys.Any(k => k.EndsWith(".tflock", StringComparison.Ordinal));
                await Cli.Wrap("kill").WithArguments(["-TERM", id.ToString()]).ExecuteAsync();
            }
        })).WithStandardErrorPipe(PipeTarget.ToDelegate(line => { lock (output) output.AppendLine(line); }));

        var task = command.ExecuteAsync(timeout.Token);
        pid = task.ProcessId;
        var result = await task;

        var log = output.ToString();
        Assert.True(signalled, log);
        Assert.True(lockSeen, "terraform held no S3 lock during apply, so the test proves nothing\n" + log);
        Assert.Equal(130, result.ExitCode);
        Assert.Contains("::error::The run was cancelled", log);
        Assert.Contains("Interrupt received", log);
        Assert.DoesNotContain(scenario.Bucket.Keys, k => k.EndsWith(".tflock", StringComparison.Ordinal));
        Assert.True(result.RunTime < TimeSpan.FromSeconds(50), $"took {result.RunTime}: terraform was not interrupted\n{log}");
    }
}
