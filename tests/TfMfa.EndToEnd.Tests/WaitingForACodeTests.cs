using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// While a run waits for a code, on GitHub and on Azure Pipelines alike, through the real program,
/// the stand-ins and real terraform: a wrong code, <c>/mfa cancel</c>, and no code in time.
/// </summary>
public sealed class WaitingForACodeTests
{
    private const int Timeout = 180_000;

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task A_wrong_code_turns_the_request_red_with_attempts_left_and_the_next_right_code_runs(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        var wrong = scenario.WrongCode();
        var right = "";
        scenario.PersonAnswers("alice", () => $"/mfa {wrong}", () => $"/mfa {right = scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        Assert.Equal([wrong, right], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.Contains(scenario.LatestRequest()!.History, h => h.Contains($"🔴 The code from {scenario.Mention("alice")} was not accepted", StringComparison.Ordinal)
                                                           && h.Contains("2 attempts left", StringComparison.Ordinal));
        Assert.Contains(scenario.ErrorLine($"🔴 MFA code from {scenario.Login("alice")} was not accepted"), run.StandardOutput);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task Mfa_cancel_from_an_allowed_person_stops_the_run(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        scenario.PersonAnswers("alice", "/mfa cancel");

        var run = await scenario.RunAsync();

        scenario.AssertFailed(run);
        Assert.Contains(scenario.ErrorLine($"Cancelled by {scenario.Mention("alice")} with /mfa cancel."), run.StandardOutput);
        Assert.Contains("### ⛔ MFA wait cancelled", scenario.LatestRequest()!.Text);
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task No_code_before_the_timeout_fails_the_run_and_the_request_says_it_timed_out(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        scenario.Inputs["timeout"] = "3s";

        var run = await scenario.RunAsync();

        scenario.AssertFailed(run);
        Assert.Contains(scenario.ErrorLine("No MFA code arrived within 3s (the timeout)."), run.StandardOutput);
        var request = Assert.Single(scenario.Requests());
        Assert.Contains("### ⌛ No MFA code arrived in time", request.Text);
        Assert.Equal(platform == Platform.AzureDevOps ? "closed" : null, request.Status); // a thread is closed; a GitHub comment has no status
        Assert.Empty(scenario.CodesSentToSts);
        Assert.Equal("true", scenario.Outputs()["mfa-required"]);
        Assert.Equal("", scenario.Outputs()["exit-code"]);
        SecretScan.AssertNoSecrets(scenario, [run]);
    }
}
