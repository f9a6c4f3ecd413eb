using System.Globalization;
using CliWrap;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd;

/// <summary>Faults GitHub, AWS and terraform really have, injected in the stand-ins, through the real program.</summary>
public sealed class FaultTests
{
    private const int Timeout = 180_000;
    /// <summary>A stand-in terraform on PATH that runs <paramref name="script"/> for plan and apply (init succeeds quietly).</summary>
    private static void FakeTerraform(GateScenario scenario, string script)
    {
        var bin = Path.Combine(scenario.Root, "bin");
        Directory.CreateDirectory(bin);
        var path = Path.Combine(bin, "terraform");
        File.WriteAllText(path, $"#!/bin/sh\nif [ \"$1\" = init ]; then echo initialized; exit 0; fi\n{script}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101); // as root, TfMfa runs it as another uid
        scenario.Variables["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
    }

    [Fact(Timeout = Timeout)]
    public async Task A_github_fault_that_outlasts_the_deadline_ends_the_run_saying_what_github_answered()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["timeout"] = "6s";
        scenario.GitHub.InjectFault("GET", "/issues/12/comments", 500, count: 1000, message: "Server Error");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::No MFA code could be read within 6s (the timeout): GitHub kept failing, last with: could not read the comments of #12: GitHub answered HTTP 500", run.StandardOutput);
        Assert.Contains("⌛", scenario.RequestComment()!.Body);
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("lost-answer")]
    [InlineData("throttled")]
    [InlineData("server-error")]
    public async Task When_sts_may_have_used_the_code_the_run_asks_for_a_new_one(string fault)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        switch (fault)
        {
            case "lost-answer": scenario.Aws.InjectStsFault("GetSessionToken", dropConnection: true); break;
            case "throttled": scenario.Aws.InjectStsFault("GetSessionToken", 400, "Throttling", "Rate exceeded"); break;
            default: scenario.Aws.InjectStsFault("GetSessionToken", 503, "ServiceUnavailable", "Service unavailable"); break;
        }
        var first = scenario.CurrentCode();
        var second = scenario.Device.CodeAt(scenario.Clock.GetUtcNow().AddSeconds(30)); // the authenticator's next code
        scenario.PersonAnswers("alice", $"/mfa {first}", $"/mfa {second}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([first, second], scenario.StsCalls("GetSessionToken").Select(c => c.TokenCode));
        Assert.Contains("is not sent again: supply a new code", scenario.RequestComment()!.History.Single(b => b.Contains("🔴", StringComparison.Ordinal)));
        var session = scenario.Aws.IssuedSessions.Last();
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        SecretScan.AssertNoSecrets(scenario, [run], first, second);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_killed_terraform_fails_the_step_with_its_exit_status()
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        FakeTerraform(scenario, "echo planning; kill -9 $$");

        var run = await scenario.RunAsync();

        Assert.Equal(137, run.ExitCode);
        Assert.Contains("::error::terraform plan failed with exit code 137", run.StandardOutput);
        Assert.Equal("137", scenario.Outputs()["exit-code"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraforms_own_exit_code_becomes_the_steps()
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        FakeTerraform(scenario, "echo 'Error: Invalid resource type' >&2; exit 3");

        var run = await scenario.RunAsync();

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("Error: Invalid resource type", run.AllOutput); // on a runner, tool stderr shares stdout with the stop-commands fence
        Assert.Equal("3", scenario.Outputs()["exit-code"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task Hundreds_of_megabytes_of_terraform_output_stream_through_without_memory_growth()
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        const long bytes = 300_000_000;
        FakeTerraform(scenario, $"head -c {bytes} /dev/zero | tr '\\0' 'x' | fold -w 120");

        long streamed = 0;
        long peakKilobytes = 0;
        var variables = JobEnvironment.Isolated(scenario.Environment());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var task = Cli.Wrap("dotnet").WithArguments([ActionProcess.ProgramPath]).WithEnvironmentVariables(variables)
            .WithStandardOutputPipe(PipeTarget.Create((stream, ct) => CountAsync(stream, n => streamed += n, ct)))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(timeout.Token);
        var status = $"/proc/{task.ProcessId}/status";
        while (!task.Task.IsCompleted)
        {
            try
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null) peakKilobytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        var result = await task;

        Assert.Equal(0, result.ExitCode);
        Assert.True(streamed >= bytes, $"only {streamed} bytes came through");
        Assert.True(peakKilobytes is > 0 and < 150_000, $"peak resident memory {peakKilobytes} kB while streaming {bytes / 1_000_000} MB");
    }

    private static async Task CountAsync(Stream stream, Action<long> add, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0) add(read);
    }

    [Fact(Timeout = Timeout)]
    public async Task Two_runs_waiting_on_one_pull_request_never_use_the_same_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        // A second checkout of the module with its own state, so the runs do not queue on one lock.
        var second = Path.Combine(scenario.Workspace, "infra-2");
        TfMfa.StandIns.Terraform.SampleModule.Write(second, scenario.Aws.Endpoint, scenario.Bucket.Name, "gate/second.tfstate");
        var firstEnvironment = scenario.Environment();
        var secondEnvironment = scenario.Environment();
        secondEnvironment["INPUT_WORKING-DIRECTORY"] = "infra-2";
        secondEnvironment["GITHUB_RUN_ID"] = "778";
        secondEnvironment["GITHUB_OUTPUT"] = Path.Combine(scenario.Root, "second_output");
        var codeA = scenario.CurrentCode();
        string codeB;

        var runs = new[]
        {
            ActionProcess.RunAsync(firstEnvironment, "", GateScenario.RunTimeout),
            ActionProcess.RunAsync(secondEnvironment, "", GateScenario.RunTimeout),
        };
        while (scenario.RequestComments().Count < 2) await Task.Delay(25, TestContext.Current.CancellationToken);
        // A bare code names neither request: it is taken by none, removed, and a run says how to name it
        // (the other run may find it already removed).
        var bare = scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {codeA}");
        while (!bare.Deleted || scenario.GitHub.CommentsOn(GateScenario.PullRequest).Count(c => c.User.IsBot && c.History[0].Contains("a bare `/mfa` is taken by none", StringComparison.Ordinal)) < 1)
            await Task.Delay(25, TestContext.Current.CancellationToken);
        Assert.Empty(scenario.StsCalls("GetSessionToken"));
        // Then a code addressed to each request is taken by its run alone.
        var ids = scenario.RequestComments().Select(c => TfMfa.RunLog.RequestCommentText.IdInMarker(c.History[0])!).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        scenario.NextCodeWindow();
        codeA = scenario.CurrentCode();
        scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {ids[0]} {codeA}");
        var requests = scenario.RequestComments();
        var first = requests.Single(c => TfMfa.RunLog.RequestCommentText.IdInMarker(c.History[0]) == ids[0]);
        var other = requests.Single(c => c != first);
        while (!first.Body.Contains("🔓 Authenticated", StringComparison.Ordinal))
            await Task.Delay(25, TestContext.Current.CancellationToken);
        Assert.Contains("🔒 MFA code needed", other.Body); // the code named the first request: only its run took it
        scenario.NextCodeWindow();
        codeB = scenario.CurrentCode();
        scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {ids[1]} {codeB}");
        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var calls = scenario.StsCalls("GetSessionToken");
        Assert.Equal(2, calls.Count);
        Assert.Equal(new[] { codeA, codeB }.Order(), calls.Select(c => c.TokenCode).Order());
        Assert.Equal(2, scenario.Aws.IssuedSessions.Count);
        Assert.All(scenario.RequestComments(), c => Assert.Contains("🔓 Authenticated with MFA by @alice", c.Body));
    }
}
