using TfMfa.EndToEnd.AzurePipelines;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18.3, attack first: an environment approval is given before its job runs. Under
/// applies-only its code applied a plan that did not exist when it was given, and no request ever
/// showed that plan (the log still said "Applying the plan shown in the request"). A code that
/// applies a plan must come from a request that showed it.
/// </summary>
public sealed class ApprovalBindingTests
{
    private const int Timeout = 180_000;
    private const string AppliesOnly = "environments:\n  production:\n    level: applies-only\n";

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task An_approvals_code_never_applies_a_plan_nobody_saw(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        // Azure Pipelines asks for approvals of a deployment stage; GitHub of the job's environment, on any event.
        if (scenario is AzureScenario azure) azure.AsDeployment();
        scenario.WriteConfig(AppliesOnly + "wait:\n  poll-interval: 1s\n");
        scenario.Inputs["command"] = "apply";
        scenario.AddPerson("bob");
        var approvalCode = scenario.CurrentCode();
        scenario.AddApproval("alice", $"/mfa {approvalCode}\nship it");
        string? shownCode = null;
        scenario.PersonAnswers("bob", () =>
        {
            scenario.NextCodeWindow();
            return $"/mfa {shownCode = scenario.CurrentCode()}";
        });

        var run = await scenario.RunAsync();

        // On the old code the approval's code applied a plan no request had shown: no request at all, and this fails.
        Assert.NotEmpty(scenario.Requests());
        scenario.AssertSucceeded(run);
        Assert.Contains(scenario.WarningLine($"The code in {scenario.Mention("alice")}'s approval of environment 'production' is not used: approvals come before the job, " +
                                             "so whoever approved never saw the plan this code would apply."), run.StandardOutput);
        // The approval's code never went to STS; the code that applied came from the request that showed the plan.
        Assert.Equal([shownCode], scenario.CodesSentToSts.Select(c => c.TokenCode));
        var request = Assert.Single(scenario.Requests());
        Assert.Contains("#### The plan this code applies", request.History[0]);
        Assert.Contains($"🔓 Authenticated with MFA by {scenario.Mention("bob")}", request.Text);
        Assert.Contains($"Authenticated with MFA by {scenario.Login("bob")}", run.StandardOutput);
        Assert.Equal(scenario.Login("bob"), scenario.Outputs()["authenticated-by"]);
        Assert.Contains("Apply complete!", run.StandardOutput);
        SecretScan.AssertNoSecrets(scenario, [run], approvalCode, shownCode!);
    }

    [Fact(Timeout = Timeout)]
    public async Task Under_plans_and_applies_the_approvals_code_still_runs_the_plan_it_could_know()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.Inputs["command"] = "apply";
        var approvalCode = scenario.CurrentCode();
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {approvalCode}", "production");
        string? applyCode = null;
        var person = Task.Run(async () =>
        {
            while (scenario.RequestComment() is null) await Task.Delay(25, TestContext.Current.CancellationToken);
            scenario.NextCodeWindow();
            scenario.GitHub.PostComment(GateScenario.PullRequest, "alice", $"/mfa {applyCode = scenario.CurrentCode()}");
        }, TestContext.Current.CancellationToken);

        var run = await scenario.RunAsync();
        await person.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using the code in @alice's approval of environment 'production'.", run.StandardOutput);
        Assert.Equal([approvalCode, applyCode], scenario.CodesSentToSts.Select(c => c.TokenCode));
        Assert.DoesNotContain("is not used", run.StandardOutput);
    }
}
