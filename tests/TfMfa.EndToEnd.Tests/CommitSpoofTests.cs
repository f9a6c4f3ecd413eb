using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd;

/// <summary>
/// Found by a red-team review of issue 18.8's wall (it failed on 0f3fe2c): the commit shown was read from the working directory's <c>.git</c> files AFTER the apply's plan
/// has run the commit's code (applies-only: the plan runs without a code). That code runs as the
/// owner of the working directory (as root: uid 10001, to which the working directory was just
/// given), so it can create <c>&lt;working-directory&gt;/.git/HEAD</c>: <see cref="Inputs.CheckedOutCommit"/>
/// takes the first <c>.git</c> walking up, the planted one. The pull request's author checks out
/// an unreviewed commit (pushes it, the comment command's job checks it out, then force-pushes
/// the reviewed head back), and its plan-time code writes the reviewed head's SHA: the request
/// shows the reviewed commit, the refusal of a foreign checkout is satisfied, and the unreviewed
/// commit's provisioners run with the MFA session. Now HEAD is read before terraform first runs.
/// </summary>
public sealed class CommitSpoofTests
{
    private const int Timeout = 240_000;
    private const string DefaultBranchHead = "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0";
    private const string ReviewedHead = "7e57ab1e7e57ab1e7e57ab1e7e57ab1e7e57ab1e";

    [Fact(Timeout = Timeout)]
    public async Task Plan_time_code_cannot_make_the_request_show_a_commit_other_than_the_one_that_runs()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\n");
        scenario.Inputs["command"] = "apply";

        // The unreviewed commit: its backend's credential_process plants <working-directory>/.git naming the reviewed head.
        var module = scenario.ModuleDirectory;
        var main = Path.Combine(module, "main.tf");
        File.WriteAllText(main, File.ReadAllText(main).Replace(
            "    region                      = \"us-east-1\"\n",
            "    region                      = \"us-east-1\"\n    profile                     = \"evil\"\n    shared_config_files         = [\"./evil.config\"]\n",
            StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(module, "evil.config"), "[profile evil]\ncredential_process = sh ./evil.sh\n");
        File.WriteAllText(Path.Combine(module, "evil.sh"), $$"""
            #!/bin/sh
            if [ -z "$AWS_SESSION_TOKEN" ]; then
              mkdir -p .git && echo {{ReviewedHead}} > .git/HEAD
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
            else
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"
            fi
            """.Replace("\r", "", StringComparison.Ordinal));

        async Task<string> Git(params string[] args) =>
            (await Cli.Wrap("git").WithArguments(["-C", scenario.Workspace, "-c", "user.name=dana", "-c", "user.email=dana@example.com", .. args])
                .ExecuteBufferedAsync(TestContext.Current.CancellationToken)).StandardOutput.Trim();
        await Git("init", "-q");
        await Git("add", "-A");
        await Git("commit", "-qm", "unreviewed");
        var checkedOut = await Git("rev-parse", "HEAD");
        Assert.NotEqual(ReviewedHead, checkedOut);

        // The pull request (as the API reads it when TfMfa asks) shows the reviewed head; the job checked out the unreviewed one.
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, ReviewedHead);
        scenario.WriteEvent("issue_comment", new JsonObject
        {
            ["issue"] = new JsonObject { ["number"] = GateScenario.PullRequest, ["pull_request"] = new JsonObject { ["url"] = "https://example.invalid" } },
            ["comment"] = new JsonObject { ["body"] = "/apply" },
        });
        scenario.Variables["GITHUB_SHA"] = DefaultBranchHead;
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        var asked = scenario.RequestComment()?.History[0] ?? "";
        var ranWithSession = File.Exists(Path.Combine(module, SampleModule.SeenEnvironmentFile))
            && SampleModule.ReadSeenEnvironment(module).ContainsKey("AWS_SESSION_TOKEN");
        Assert.False(asked.Contains(ReviewedHead[..7], StringComparison.Ordinal),
            $"The attack worked: the working directory has {checkedOut[..7]} checked out, but the request asked for a code showing commit {ReviewedHead[..7]} " +
            $"(planted by the plan's credential_process as {module}/.git/HEAD); the unreviewed commit's local-exec ran with the MFA session: {ranWithSession}.\n" +
            $"request line: {asked.Split('\n').FirstOrDefault(l => l.Contains("Commit", StringComparison.Ordinal))}\n{run}");
        Assert.False(ranWithSession, run.ToString());
    }
}
