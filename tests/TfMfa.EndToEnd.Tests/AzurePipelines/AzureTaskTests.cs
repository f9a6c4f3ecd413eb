using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// The TfMfa@1 task end to end, as the agent runs it: its variables, the shim under real Node, the
/// program, the Azure DevOps and AWS stand-ins, and real terraform.
/// </summary>
public sealed class AzureTaskTests
{
    private const int Timeout = 180_000;

    [Fact(Timeout = Timeout)]
    public async Task A_gated_plan_waits_for_a_thread_code_and_runs_terraform_with_the_session_it_unlocked()
    {
        await using var scenario = await AzureScenario.StartAsync();
        var code = "";
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {code = scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.Equal(0, run.ExitCode);
        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        Assert.Contains("Authenticated with MFA by alice@contoso.com", run.StandardOutput);
        Assert.Equal(code, Assert.Single(scenario.CodesSentToSts).TokenCode);
        Assert.Contains("##vso[task.setvariable variable=authenticatedBy;isoutput=true;]alice@contoso.com", run.StandardOutput);
        Assert.Contains("##vso[task.setvariable variable=mfaRequired;isoutput=true;]true", run.StandardOutput);
        Assert.Contains("##vso[task.setvariable variable=exitCode;isoutput=true;]0", run.StandardOutput);

        // The request thread ends authenticated and closed; the code comment is deleted and claimed.
        var thread = Assert.Single(scenario.RequestThreads());
        Assert.Equal("closed", thread.Status);
        Assert.Contains("Authenticated with MFA by alice@contoso.com", thread.Comments[0].Content);
        var answer = scenario.Azure.Threads(AzureScenario.PullRequest).Single(t => t.Comments[0].Author.UniqueName == "alice@contoso.com");
        Assert.True(answer.Comments[0].IsDeleted);
        Assert.Contains(answer.Comments, c => c.Author.Id == scenario.Azure.BuildIdentity.Id && c.Content.Contains("tfmfa:claim", StringComparison.Ordinal));

        // terraform read its state with the MFA session, never the long-term key.
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        var s3 = scenario.Aws.Requests.Where(r => r.Service == "s3").ToList();
        Assert.NotEmpty(s3);
        Assert.All(s3, r => Assert.True(r.AccessKeyId == session.AccessKeyId && r.MfaAuthenticated, $"{r.Operation} signed by {r.AccessKeyId}"));

        var summary = Assert.Single(Directory.GetFiles(scenario.AgentTemp, "tfmfa-summary-*.md"));
        Assert.Contains($"##vso[task.uploadsummary]{summary}", run.StandardOutput);
        Assert.Contains("alice@contoso.com", File.ReadAllText(summary));
    }
}
