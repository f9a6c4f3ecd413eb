using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18.8, attack first: in the comment-apply example (<c>issue_comment</c>) <c>GITHUB_SHA</c> is
/// the default branch's head while the job checked out the pull request's head, so the request showed
/// and recorded a commit that was not the one that ran. The commit shown is the working directory's
/// HEAD; where the event names a pull request, any other checkout than its head is refused.
/// </summary>
public sealed class CommitBindingTests
{
    private const int Timeout = 180_000;
    private const string DefaultBranchHead = "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0";

    /// <summary>Makes the workspace a git checkout of one commit and returns its SHA.</summary>
    private static async Task<string> CommitWorkspaceAsync(GateScenario scenario)
    {
        async Task<string> Git(params string[] args) =>
            (await Cli.Wrap("git").WithArguments(["-C", scenario.Workspace, "-c", "user.name=dana", "-c", "user.email=dana@example.com", .. args])
                .ExecuteBufferedAsync(TestContext.Current.CancellationToken)).StandardOutput.Trim();
        await Git("init", "-q");
        await Git("add", "-A");
        await Git("commit", "-qm", "infra");
        return await Git("rev-parse", "HEAD");
    }

    private static void CommentEvent(GateScenario scenario)
    {
        scenario.WriteEvent("issue_comment", new JsonObject
        {
            ["issue"] = new JsonObject { ["number"] = GateScenario.PullRequest, ["pull_request"] = new JsonObject { ["url"] = "https://example.invalid" } },
            ["comment"] = new JsonObject { ["body"] = "/apply" },
        });
        scenario.Variables["GITHUB_SHA"] = DefaultBranchHead; // what the runner sets on issue_comment
    }

    [Fact(Timeout = Timeout)]
    public async Task On_a_comment_command_the_request_shows_the_checked_out_commit_not_the_default_branchs()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var head = await CommitWorkspaceAsync(scenario);
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, head);
        CommentEvent(scenario);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var asked = scenario.RequestComment()!.History[0];
        Assert.Contains($"| Commit | [`{head[..7]}`](https://github.com/{scenario.GitHub.FullName}/commit/{head}) |", asked);
        Assert.DoesNotContain(DefaultBranchHead[..7], asked);
        Assert.Contains($"at commit {head[..7]}", run.StandardOutput);
        Assert.Contains($"`{head[..7]}`", scenario.Summary());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_checkout_that_is_not_the_pull_requests_head_is_refused_before_anyone_is_asked()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        var checkedOut = await CommitWorkspaceAsync(scenario);
        // The pull request has moved on (or the job checked out the default branch): its head is another commit.
        scenario.GitHub.AddPullRequest(GateScenario.PullRequest, "aaaabbbbccccddddeeeeffff0000111122223333");
        CommentEvent(scenario);

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"::error::The working directory has commit {checkedOut} checked out, but the pull request's head is aaaabbbbccccddddeeeeffff0000111122223333: " +
                        "a code would unlock a commit the pull request does not show, so nobody is asked for one. To fix it, check out the pull request's head SHA read from the API", run.StandardOutput);
        Assert.Empty(scenario.RequestComments());
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task On_a_pull_request_event_a_merge_commit_checkout_is_refused_saying_how_to_check_out_the_head()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        await CommitWorkspaceAsync(scenario); // stands for the merge commit actions/checkout makes by default
        // The event's head.sha is GateScenario.HeadSha, which the checkout is not.

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("actions/checkout with ref: ${{ github.event.pull_request.head.sha }}", run.StandardOutput);
        Assert.Empty(scenario.RequestComments());
    }
}
