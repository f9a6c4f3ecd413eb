using Microsoft.Extensions.Time.Testing;
using TfMfa.Aws;
using TfMfa.Config;
using TfMfa.Gate;
using TfMfa.Hosting;
using TfMfa.RunLog;

namespace TfMfa.Tests.Gate;

/// <summary>The run's flow with fakes at its boundaries and a fake clock for the wait.</summary>
public sealed class GateRunnerTests : IDisposable
{
    private const int Timeout = 30_000;
    private readonly string _workspace = Directory.CreateTempSubdirectory("tfmfa-gate-").FullName;
    private readonly RecordingRunLog _log = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-28T12:00:00Z"));

    private readonly Dictionary<string, string> _variables = new()
    {
        ["INPUT_COMMAND"] = "plan",
        ["AWS_ACCESS_KEY_ID"] = "AKIALONGTERMKEY00000",
        ["AWS_SECRET_ACCESS_KEY"] = "long-term-secret-value",
        ["AWS_MFA_SERIAL_NUMBER"] = "arn:aws:iam::123456789012:mfa/ci",
    };

    public GateRunnerTests() => _variables["GITHUB_WORKSPACE"] = _workspace;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private void Config(string yaml)
    {
        Directory.CreateDirectory(Path.Combine(_workspace, ".github"));
        File.WriteAllText(Path.Combine(_workspace, ".github", "tfmfa.yml"), yaml);
    }

    private GateRunner Runner(ScriptedSts sts, QueuedCodes codes, RecordingTerraform terraform) =>
        new(new GateServices(new DictionaryEnvironment(_variables),
            new FakeFrontEnd(_log, codes, _variables.GetValueOrDefault("GITHUB_ACTOR") ?? "local"), (_, _) => sts, terraform, _clock));

    private string Log => _log.ToString();

    [Fact(Timeout = Timeout)]
    public async Task A_final_request_update_that_hangs_gives_up_on_the_clock_and_the_time_out_stays_the_error()
    {
        Config("default-level: plans-and-applies\nwait:\n  timeout: 5m\n");
        var codes = new QueuedCodes { HangWhenEnded = true };

        var run = Runner(new ScriptedSts(ScriptedSts.Session), codes, new RecordingTerraform()).RunAsync([], TestContext.Current.CancellationToken);
        await codes.Waiting.Task.WaitAsync(TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(5));
        while (!codes.Events.Contains("ended TimedOut")) await Task.Delay(10, TestContext.Current.CancellationToken);
        Assert.False(run.IsCompleted); // the grace runs on the run's clock, not the wall clock
        _clock.Advance(CodeWait.FinalUpdateGrace);

        Assert.Equal(GateRunner.FailureExitCode, await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Contains("error: No MFA code arrived within 5m (the timeout).", Log);
        Assert.Contains("warning: Could not tell the people asked for a code that the wait ended within 10s.", Log);
        Assert.DoesNotContain("failed unexpectedly", Log);
        Assert.Equal("true", _log.Outputs["mfa-required"]); // the outputs are written all the same
    }

    [Fact(Timeout = Timeout)]
    public async Task No_code_before_the_timeout_fails_the_run_and_terraform_never_starts()
    {
        Config("default-level: plans-and-applies\nwait:\n  timeout: 5m\n");
        var codes = new QueuedCodes();
        var terraform = new RecordingTerraform();

        var run = Runner(new ScriptedSts(ScriptedSts.Session), codes, terraform).RunAsync([], TestContext.Current.CancellationToken);
        await codes.Waiting.Task.WaitAsync(TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.False(run.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(GateRunner.FailureExitCode, await run);
        Assert.Contains("error: No MFA code arrived within 5m (the timeout).", Log);
        Assert.Equal("ended TimedOut", codes.Events[^1]);
        Assert.Empty(terraform.Invocations);
    }

    /// <summary>Issue 18.2: the request is read back once more just before terraform runs with the session.</summary>
    [Fact(Timeout = Timeout)]
    public async Task A_request_edited_after_its_code_was_accepted_keeps_terraform_from_running_with_the_session()
    {
        Config("default-level: plans-and-applies\n");
        var codes = new QueuedCodes("111111") { RewrittenAfterAuthentication = "the request on #12 was edited by someone other than TfMfa" };
        var terraform = new RecordingTerraform();

        var exitCode = await Runner(new ScriptedSts(ScriptedSts.Session), codes, terraform).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(GateRunner.FailureExitCode, exitCode);
        Assert.Empty(terraform.Invocations);
        Assert.Contains("The session is not used: the request on #12 was edited by someone other than TfMfa after alice's code was accepted", Log);
        Assert.Equal(["asked 1/3", "authenticated", "ended Failed"], codes.Events);
    }

    [Fact(Timeout = Timeout)]
    public async Task Refused_codes_count_as_attempts_until_max_attempts()
    {
        Config("default-level: plans-and-applies\nwait:\n  max-attempts: 2\n");
        var codes = new QueuedCodes("111111", "222222", "333333");
        var sts = new ScriptedSts(ScriptedSts.Fails(StsFailureKind.WrongCode, "AWS refused the MFA code."));
        var terraform = new RecordingTerraform();

        var exitCode = await Runner(sts, codes, terraform).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(GateRunner.FailureExitCode, exitCode);
        Assert.Equal(["GetSessionToken 111111", "GetSessionToken 222222"], sts.Calls);
        Assert.Equal(["asked 1/2", "rejected, 1 left", "asked 2/2", "ended Failed"], codes.Events);
        Assert.Contains("MFA failed: 2 codes were refused (wait.max-attempts)", Log);
        Assert.Empty(terraform.Invocations);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_failure_another_code_cannot_fix_ends_the_wait_at_once()
    {
        Config("default-level: plans-and-applies\n");
        var codes = new QueuedCodes("111111", "222222");
        var sts = new ScriptedSts(ScriptedSts.Fails(StsFailureKind.DeviceNotFound, "AWS could not check the code against MFA device x."));

        var exitCode = await Runner(sts, codes, new RecordingTerraform()).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(GateRunner.FailureExitCode, exitCode);
        Assert.Single(sts.Calls);
        Assert.Contains("MFA failed: another code would not help.", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task Cancelling_the_wait_exits_130_with_an_error()
    {
        Config("default-level: plans-and-applies\n");
        var codes = new QueuedCodes();
        using var cancellation = new CancellationTokenSource();

        var run = Runner(new ScriptedSts(ScriptedSts.Session), codes, new RecordingTerraform()).RunAsync([], cancellation.Token);
        await codes.Waiting.Task.WaitAsync(TestContext.Current.CancellationToken);
        await cancellation.CancelAsync();

        Assert.Equal(GateRunner.CancelledExitCode, await run);
        Assert.Contains("error: The run was cancelled", Log);
        Assert.Equal("ended Cancelled", codes.Events[^1]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Masks_come_before_anything_could_print_the_secret_and_the_notice_names_the_person()
    {
        Config("default-level: plans-and-applies\n");

        var exitCode = await Runner(new ScriptedSts(ScriptedSts.Session), new QueuedCodes("654321"), new RecordingTerraform()).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        var lines = _log.Lines.ToArray();
        Assert.Equal("mask: long-term-secret-value", lines[0]);
        var masks = lines.Where(l => l.StartsWith("mask: ", StringComparison.Ordinal)).Select(l => l[6..]).ToList();
        Assert.Equal(["long-term-secret-value", "654321", "ASIAFAKESESSION0000", "fake-session-secret", "fake-session-token"], masks);
        Assert.Contains("notice: Authenticated with MFA by alice", lines);
        Assert.True(Array.IndexOf(lines, "mask: fake-session-token") < Array.FindIndex(lines, l => l.StartsWith("group: terraform", StringComparison.Ordinal)));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_failing_init_stops_the_run_with_terraforms_exit_code()
    {
        var terraform = new RecordingTerraform(7);

        var exitCode = await Runner(new ScriptedSts(ScriptedSts.Session), new QueuedCodes(), terraform).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(7, exitCode);
        Assert.Equal(["init"], terraform.Invocations.Select(i => i.Arguments[0]));
        Assert.Contains("error: terraform init failed with exit code 7", Log);
    }

    [Fact(Timeout = Timeout)]
    public async Task Without_mfa_terraform_keeps_the_keys_as_given()
    {
        var terraform = new RecordingTerraform();
        var sts = new ScriptedSts(ScriptedSts.Session);

        var exitCode = await Runner(sts, new QueuedCodes(), terraform).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Empty(sts.Calls);
        var environment = terraform.Invocations[0].EnvironmentChanges;
        Assert.False(environment.ContainsKey("AWS_ACCESS_KEY_ID"));
        Assert.Null(environment["AWS_MFA_SERIAL_NUMBER"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Mfa_without_a_serial_number_says_which_variable_to_set_before_asking_for_a_code()
    {
        Config("default-level: plans-and-applies\n");
        _variables.Remove("AWS_MFA_SERIAL_NUMBER");
        var codes = new QueuedCodes("123456");

        var exitCode = await Runner(new ScriptedSts(ScriptedSts.Session), codes, new RecordingTerraform()).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(GateRunner.FailureExitCode, exitCode);
        Assert.Contains("error: AWS_MFA_SERIAL_NUMBER must be set when MFA is required", Log);
        Assert.Empty(codes.Events);
    }

    [Fact(Timeout = Timeout)]
    public async Task Role_without_mfa_assumes_the_role_with_the_actor_in_the_session_name()
    {
        Config("environments:\n  prod:\n    level: applies-only\n    role-to-assume: arn:aws:iam::123456789012:role/deploy\n");
        _variables["INPUT_ENVIRONMENT"] = "prod";
        _variables["GITHUB_ACTOR"] = "octocat";
        var sts = new ScriptedSts(ScriptedSts.Session);
        var terraform = new RecordingTerraform();

        var exitCode = await Runner(sts, new QueuedCodes(), terraform).RunAsync([], TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Equal(["AssumeRole arn:aws:iam::123456789012:role/deploy tfmfa-octocat "], sts.Calls);
        Assert.Equal("ASIAFAKESESSION0000", terraform.Invocations[0].EnvironmentChanges["AWS_ACCESS_KEY_ID"]);
    }
}
