using System.Text.Json.Nodes;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Every event a workflow can run TfMfa from, judged by where the code it runs comes from (issue 9):
/// a head repository that cannot be established counts as a fork, and a fork gets no code.
/// </summary>
public sealed class ForkOriginTests
{
    private const int Timeout = 180_000;

    private static JsonObject PullRequest(JsonNode? headRepo, bool withBase = true)
    {
        var pr = new JsonObject { ["number"] = GateScenario.PullRequest, ["head"] = new JsonObject { ["sha"] = GateScenario.HeadSha, ["repo"] = headRepo } };
        if (withBase) pr["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = "acme/infra" } };
        return pr;
    }

    private static JsonObject Repo(string fullName) => new() { ["full_name"] = fullName };

    public static TheoryData<string, string, string> Refused => new()
    {
        { "pull_request", new JsonObject { ["pull_request"] = PullRequest(null) }.ToJsonString(), "Pull request #12 comes from a repository that cannot be established (head.repo is null" },
        { "pull_request_target", new JsonObject { ["pull_request"] = PullRequest(null) }.ToJsonString(), "Pull request #12 comes from a repository that cannot be established" },
        { "pull_request_review", new JsonObject { ["pull_request"] = PullRequest(Repo("mallory/infra")) }.ToJsonString(), "Pull request #12 comes from the fork mallory/infra" },
        { "pull_request_review_comment", new JsonObject { ["pull_request"] = PullRequest(Repo("mallory/infra")) }.ToJsonString(), "Pull request #12 comes from the fork mallory/infra" },
        { "pull_request", new JsonObject { ["pull_request"] = PullRequest(Repo("acme/infra"), withBase: false) }.ToJsonString(), "counts as a fork" },
        { "pull_request", new JsonObject { ["number"] = 12 }.ToJsonString(), "This pull_request event's payload names no pull request, so its head repository cannot be established" },
        { "workflow_run", new JsonObject { ["workflow_run"] = new JsonObject { ["event"] = "pull_request", ["head_repository"] = Repo("mallory/infra"), ["repository"] = Repo("acme/infra") } }.ToJsonString(), "The pull_request run behind this workflow_run comes from the fork mallory/infra" },
        { "workflow_run", new JsonObject { ["workflow_run"] = new JsonObject { ["event"] = "pull_request", ["head_repository"] = null, ["repository"] = Repo("acme/infra") } }.ToJsonString(), "has no head repository (a deleted fork?), so it counts as a fork" },
        { "workflow_run", new JsonObject { ["action"] = "completed" }.ToJsonString(), "This workflow_run event's payload names no triggering run" },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(Refused))]
    public async Task Code_of_unknown_or_foreign_origin_gets_no_code(string eventName, string payload, string expected)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent(eventName, JsonNode.Parse(payload)!.AsObject());
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {scenario.CurrentCode()}", "production");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(expected, run.StandardOutput);
        Assert.Contains("this job would run the fork's code with MFA credentials, so TfMfa does not ask for a code", run.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_comment_command_on_a_pull_request_whose_fork_was_deleted_is_refused()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, GateScenario.HeadSha, forkDeleted: true);
        scenario.WriteEvent("issue_comment", new JsonObject
        {
            ["issue"] = new JsonObject { ["number"] = GateScenario.PullRequest, ["pull_request"] = new JsonObject { ["url"] = "https://example.invalid" } },
            ["comment"] = new JsonObject { ["body"] = "/apply" },
        });

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Pull request #12 comes from a repository that cannot be established", run.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
    }

    public static TheoryData<string, string> RepositoryOwnCode => new()
    {
        { "workflow_dispatch", new JsonObject { ["ref"] = "refs/heads/main", ["inputs"] = new JsonObject() }.ToJsonString() },
        { "workflow_run", new JsonObject { ["workflow_run"] = new JsonObject { ["event"] = "push", ["head_repository"] = Repo("acme/infra"), ["repository"] = Repo("acme/infra") } }.ToJsonString() },
        { "pull_request_review", new JsonObject { ["pull_request"] = PullRequest(Repo("acme/infra")) }.ToJsonString() },
    };

    [Theory(Timeout = Timeout)]
    [MemberData(nameof(RepositoryOwnCode))]
    public async Task Code_of_the_repository_itself_is_asked_for_a_code_as_usual(string eventName, string payload)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteEvent(eventName, JsonNode.Parse(payload)!.AsObject());
        var code = scenario.CurrentCode();
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {code}", "production");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([code], scenario.CodesSentToSts.Select(r => r.TokenCode));
    }
}
