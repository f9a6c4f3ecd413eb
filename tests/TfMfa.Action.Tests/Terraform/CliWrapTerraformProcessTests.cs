using TfMfa.Hosting;
using TfMfa.Terraform;

namespace TfMfa.Tests.Terraform;

/// <summary>The process boundary against a real process: a tiny stand-in "terraform" shell script.</summary>
public sealed class CliWrapTerraformProcessTests : IDisposable
{
    private const int Timeout = 30_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("tfmfa-process-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <param name="takesInterrupts">
    /// Like terraform: Go re-enables SIGINT even when the process started with it ignored (as a
    /// background job of a non-interactive shell does), while sh cannot trap a signal ignored at
    /// entry; so a stand-in that traps it resets it first, whoever started the tests.
    /// </param>
    private string Script(string body, bool takesInterrupts = false)
    {
        var path = Path.Combine(_directory, "terraform");
        File.WriteAllText(path, (takesInterrupts ? "#!/usr/bin/env -S --default-signal=INT /bin/sh\n" : "#!/bin/sh\n") + body + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private TerraformInvocation Invocation(params string[] args) =>
        new(args, _directory, new Dictionary<string, string?> { ["TFMFA_TEST_VALUE"] = "set-by-gate", ["HOME"] = null });

    [Fact(Timeout = Timeout)]
    public async Task Arguments_environment_and_exit_code_reach_and_leave_the_process()
    {
        var process = new CliWrapTerraformProcess(Script("echo \"args:$*\"; echo \"value:$TFMFA_TEST_VALUE home:${HOME:-unset}\"; echo oops >&2; exit 3"), TimeSpan.FromSeconds(5), new ProcessEnvironment());
        var stdout = new List<string>();
        var stderr = new List<string>();

        var exitCode = await process.RunAsync(Invocation("plan", "-input=false"), stdout.Add, stderr.Add, TestContext.Current.CancellationToken);

        Assert.Equal(3, exitCode);
        Assert.Equal(["args:plan -input=false", "value:set-by-gate home:unset"], stdout);
        Assert.Equal(["oops"], stderr);
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraform_writes_into_pipes_of_a_megabyte_so_a_long_plan_is_read_in_few_large_reads()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "pipe capacity (F_SETPIPE_SZ) is a Linux matter");
        var process = new CliWrapTerraformProcess(Script("echo out; echo err >&2"), TimeSpan.FromSeconds(5), new ProcessEnvironment());
        int? stdoutCapacity = null, stderrCapacity = null;

        await process.RunAsync(Invocation("plan"),
            async (stream, token) => { stdoutCapacity = PipeCapacity.Of(stream); await stream.CopyToAsync(Stream.Null, token); },
            async (stream, token) => { stderrCapacity = PipeCapacity.Of(stream); await stream.CopyToAsync(Stream.Null, token); },
            TestContext.Current.CancellationToken);

        Assert.Equal(PipeCapacity.Bytes, stdoutCapacity);
        Assert.Equal(PipeCapacity.Bytes, stderrCapacity);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_denied_variable_never_reaches_the_child_even_when_the_invocation_sets_it()
    {
        // Really in this process's environment, as the runner puts it in the action's.
        Environment.SetEnvironmentVariable("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "oidc-request-token-from-the-runner");
        try
        {
            var process = new CliWrapTerraformProcess(Script("echo \"oidc:${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-unset} gh:${GITHUB_TOKEN:-unset} kept:$TFMFA_TEST_VALUE\""),
                TimeSpan.FromSeconds(5), new ProcessEnvironment());
            var stdout = new List<string>();
            var invocation = new TerraformInvocation(["plan"], _directory,
                new Dictionary<string, string?> { ["TFMFA_TEST_VALUE"] = "yes", ["GITHUB_TOKEN"] = "ghs_put_back_by_a_change" });

            await process.RunAsync(invocation, stdout.Add, _ => { }, TestContext.Current.CancellationToken);

            Assert.Equal(["oidc:unset gh:unset kept:yes"], stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ACTIONS_ID_TOKEN_REQUEST_TOKEN", null);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Output_arrives_line_by_line_while_the_process_still_runs()
    {
        var marker = Path.Combine(_directory, "go-on");
        var process = new CliWrapTerraformProcess(Script($"echo first; while [ ! -f {marker} ]; do sleep 0.05; done; echo second"), TimeSpan.FromSeconds(5), new ProcessEnvironment());
        var firstSeen = new TaskCompletionSource();
        var lines = new List<string>();

        var run = process.RunAsync(Invocation(), line => { lines.Add(line); if (line == "first") firstSeen.TrySetResult(); }, _ => { }, TestContext.Current.CancellationToken);
        await firstSeen.Task.WaitAsync(TestContext.Current.CancellationToken);
        Assert.False(run.IsCompleted);
        File.WriteAllText(marker, "");

        Assert.Equal(0, await run);
        Assert.Equal(["first", "second"], lines);
    }

    [Fact(Timeout = Timeout)]
    public async Task Cancelling_interrupts_terraform_first_so_it_can_release_its_lock()
    {
        var process = new CliWrapTerraformProcess(Script("trap 'echo releasing-lock; exit 130' INT; echo started; while true; do sleep 0.05; done", takesInterrupts: true), TimeSpan.FromSeconds(10), new ProcessEnvironment());
        using var cancellation = new CancellationTokenSource();
        var lines = new List<string>();

        var run = process.RunAsync(Invocation(), line => { lines.Add(line); if (line == "started") cancellation.Cancel(); }, _ => { }, cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(["started", "releasing-lock"], lines);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_process_that_ignores_the_interrupt_is_killed_after_the_grace_period()
    {
        var process = new CliWrapTerraformProcess(Script("trap 'echo ignoring' INT; echo started; while true; do sleep 0.05; done", takesInterrupts: true), TimeSpan.FromMilliseconds(500), new ProcessEnvironment());
        using var cancellation = new CancellationTokenSource();
        var lines = new List<string>();

        var run = process.RunAsync(Invocation(), line => { lines.Add(line); if (line == "started") cancellation.Cancel(); }, _ => { }, cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Contains("ignoring", lines);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_missing_terraform_says_how_to_install_it()
    {
        var process = new CliWrapTerraformProcess(Path.Combine(_directory, "no-such-terraform"), TimeSpan.FromSeconds(1), new ProcessEnvironment());

        var error = await Assert.ThrowsAsync<TfMfaException>(() => process.RunAsync(Invocation(), _ => { }, _ => { }, TestContext.Current.CancellationToken));

        Assert.Contains("could not start terraform", error.Message);
        Assert.Contains("put it on PATH", error.Message);
    }
}
