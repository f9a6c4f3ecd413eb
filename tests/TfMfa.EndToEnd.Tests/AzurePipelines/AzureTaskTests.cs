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

    [Fact(Timeout = Timeout)]
    public async Task A_gated_apply_takes_the_code_from_the_environment_approval_and_terraform_sees_none_of_the_agents_tokens()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.AsDeployment();
        var code = scenario.CurrentCode();
        scenario.Azure.AddApproval("deploy", AzureScenario.BuildId, "alice@contoso.com", $"/mfa {code}\nship it");
        // What the agent hands a task besides: none of it may reach terraform.
        scenario.Variables["SYSTEM_ACCESSTOKEN"] = scenario.Azure.Token;
        scenario.Variables["SECRET_DB_PASSWORD"] = "db-password-value-123";
        scenario.Variables["ENDPOINT_URL_SYSTEMVSSCONNECTION"] = scenario.Azure.CollectionUri;
        // plans-and-applies: the approval's code runs the plan; the thread that shows the plan takes a newer code.
        var applyCode = "";
        scenario.PersonAnswers("alice@contoso.com", () => { scenario.NextCodeWindow(); return $"/mfa {applyCode = scenario.CurrentCode()}"; });

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        Assert.Contains("Using the code in alice@contoso.com's approval of environment 'production'", run.StandardOutput);
        Assert.Contains("Authenticated with MFA by alice@contoso.com", run.StandardOutput);
        Assert.Equal([code, applyCode], scenario.CodesSentToSts.Select(r => r.TokenCode));
        // Only the second code was asked for on the pull request, in a thread showing the plan it applies.
        var asked = Assert.Single(scenario.RequestThreads()).Comments[0].History[0];
        Assert.Contains("**Second of two codes**", asked);
        Assert.Contains("- `terraform_data.whoami`: create", asked);
        var seen = TfMfa.StandIns.Terraform.SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(scenario.Aws.IssuedSessions[^1].AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        Assert.Empty(scenario.DeniedVariablesTerraformSaw());
    }

    [Fact(Timeout = Timeout)]
    public async Task An_expired_approval_code_falls_back_to_the_thread_of_the_pull_request_that_merged_the_commit()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.AsDeployment();
        var stale = scenario.Device.CodeAt(scenario.Clock.GetUtcNow().AddMinutes(-10)); // approved while the job was queued
        scenario.Azure.AddApproval("deploy", AzureScenario.BuildId, "alice@contoso.com", $"/mfa {stale}");
        var fresh = "";
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {fresh = scenario.CurrentCode()}");
        // The apply's second code, on the thread that shows the plan: the refused approval is never tried again.
        var applyCode = "";
        scenario.PersonAnswersRequest(1, "alice@contoso.com", () => { scenario.NextCodeWindow(); return $"/mfa {applyCode = scenario.CurrentCode()}"; });

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        Assert.Equal([stale, fresh, applyCode], scenario.CodesSentToSts.Select(r => r.TokenCode));
        var request = scenario.RequestThreads()[0].Comments[0];
        Assert.Contains(request.History, h => h.Contains("environment approval was not accepted (it may have expired while the job was queued)", StringComparison.Ordinal));
        Assert.Contains("Authenticated with MFA by alice@contoso.com", request.Content);
        Assert.Contains("pullrequestquery", string.Join("\n", scenario.Azure.Requests.Select(r => r.PathAndQuery)));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("True")]
    [InlineData("")] // a pull request build that does not say: counts as a fork
    public async Task A_pull_request_from_a_fork_is_not_asked_for_a_code(string isFork)
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Variables["SYSTEM_PULLREQUEST_ISFORK"] = isFork;

        var run = await scenario.RunAsync();

        Assert.Contains("##vso[task.complete result=Failed;]", run.StandardOutput);
        Assert.Contains("set allow-fork-prs: true in .azuredevops/tfmfa.yml on the default branch", run.StandardOutput);
        Assert.Empty(scenario.RequestThreads());
        Assert.Empty(scenario.Aws.IssuedSessions);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_bad_job_token_gets_the_sign_in_page_and_a_clear_error()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Variables[AzureContextNames.JobToken] = "expired-or-foreign-token";

        var run = await scenario.RunAsync();

        Assert.Contains("##vso[task.complete result=Failed;]", run.StandardOutput);
        Assert.Contains("with its sign-in page (HTTP 203), not JSON: the job's access token was not accepted", run.StandardOutput);
        Assert.DoesNotContain("expired-or-foreign-token", run.StandardOutput.Split('\n').Where(l => !l.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal)));
    }

    [Fact(Timeout = Timeout)]
    public async Task Throttling_with_429_and_Retry_After_is_waited_out()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Azure.Throttle(2, TimeSpan.FromSeconds(2));
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        var requests = scenario.Azure.Requests;
        var throttled = requests.Where(r => r.Status == 429).ToList();
        Assert.Equal(2, throttled.Count);
        var next = requests.First(r => r.At > throttled[^1].At && r.Status != 429);
        Assert.True(next.At - throttled[^1].At >= TimeSpan.FromSeconds(1.9), $"asked again {(next.At - throttled[^1].At).TotalSeconds:0.0} s after a 429 that said 2 s");
    }

    [Fact(Timeout = Timeout)]
    public async Task The_service_connections_keys_are_used_when_no_variables_are_mapped()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Inputs["aws-credentials"] = "a1b2c3d4-aws-connection";
        scenario.Variables["AWS_ACCESS_KEY_ID"] = "";
        scenario.Variables["AWS_SECRET_ACCESS_KEY"] = "";
        scenario.Variables["ENDPOINT_AUTH_PARAMETER_A1B2C3D4_AWS_CONNECTION_USERNAME"] = scenario.User.AccessKeyId;
        scenario.Variables["ENDPOINT_AUTH_PARAMETER_A1B2C3D4_AWS_CONNECTION_PASSWORD"] = scenario.User.SecretAccessKey;
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        Assert.Contains($"##vso[task.setsecret]{scenario.User.SecretAccessKey}", run.StandardOutput);
        Assert.Single(scenario.Aws.IssuedSessions);
    }

    [Fact(Timeout = Timeout)]
    public async Task No_secret_appears_in_any_output_summary_or_comment()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Inputs["command"] = "apply";
        var wrong = scenario.WrongCode();
        var right = "";
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {wrong}", () => $"/mfa {right = scenario.CurrentCode()}");
        var applyCode = ""; // plans-and-applies: the apply's second code, on the thread that shows the plan
        scenario.PersonAnswersRequest(1, "alice@contoso.com", () => { scenario.NextCodeWindow(); return $"/mfa {applyCode = scenario.CurrentCode()}"; });
        scenario.Variables["TF_LOG"] = "DEBUG"; // terraform's debug log prints its credentials' use

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        Assert.Equal([wrong, right, applyCode], scenario.CodesSentToSts.Select(r => r.TokenCode));
        SecretScan.AssertNoSecrets(scenario, [run], right, wrong, applyCode); // the job token too
    }

    [Fact(Timeout = Timeout)]
    public async Task Cancelling_the_job_while_it_waits_reaches_tfmfa_through_the_shim_and_the_request_says_so()
    {
        await using var scenario = await AzureScenario.StartAsync();
        var start = new System.Diagnostics.ProcessStartInfo(NodeBinary.Path!, Path.Combine(TaskFolder.Path, "index.js")) { RedirectStandardOutput = true, UseShellExecute = false };
        start.Environment.Clear();
        foreach (var (name, value) in scenario.Environment().Where(v => v.Value.Length > 0)) start.Environment[name] = value;
        using var node = System.Diagnostics.Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using (var limit = new CancellationTokenSource(AzureScenario.RunTimeout))
            while (scenario.Request() is null) await Task.Delay(25, limit.Token);

        // What the agent does when the job is cancelled.
        await CliWrap.Cli.Wrap("kill").WithArguments(["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExecuteAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, node.ExitCode);
        Assert.Contains("##vso[task.complete result=Failed;]", await output);
        var thread = Assert.Single(scenario.RequestThreads());
        Assert.Contains("MFA wait cancelled", thread.Comments[0].Content);
        Assert.Contains("The run was cancelled.", thread.Comments[0].Content);
        Assert.Equal("closed", thread.Status);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_thread_shows_what_the_code_unlocks_and_under_applies_only_the_plan_it_applies()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\nwait:\n  poll-interval: 1s\n");
        scenario.Inputs["command"] = "apply";
        scenario.Variables["BUILD_REPOSITORY_NAME"] = "infra";
        scenario.PersonAnswers("alice@contoso.com", () => $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        var asked = scenario.Request()!.History[0];
        Assert.Contains("### 🔒 MFA code needed: `terraform apply` in `production` (request `", asked);
        Assert.Contains($"| Commit | [`{AzureScenario.SourceVersion[..7]}`]({scenario.Azure.CollectionUri}infra/_git/infra/commit/{AzureScenario.SourceVersion}) |", asked);
        Assert.Contains("**Plan: 2 to add, 0 to change, 0 to destroy.**", asked); // the sample module and the scenario's probe
        Assert.Contains("- `terraform_data.denied`: create", asked);
        Assert.Contains("- `terraform_data.whoami`: create", asked);
        var sha = run.StandardOutput.Split('\n').Single(l => l.StartsWith("##vso[task.setvariable variable=planSha256;", StringComparison.Ordinal)).Split(']')[1];
        Assert.Contains($"Plan file SHA-256 `{sha}`", asked);
        Assert.Contains($"Applying the plan shown in the request (SHA-256 {sha}).", run.StandardOutput);
    }
}
