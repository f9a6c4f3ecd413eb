using System.Text.Json.Nodes;
using TfMfa.EndToEnd.AzurePipelines;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18, part 10, through the real program, the stand-ins and real terraform: under
/// <c>approvers.allow-author: false</c> nobody behind the change supplies its code: not the pull
/// request's author only, but whoever authored or committed its commits and whoever pushed its head.
/// </summary>
public sealed class FourEyesTests
{
    private const int Timeout = 180_000;
    private const string FourEyes = GateScenario.ProductionConfig + "approvers:\n  allow-author: false\n";

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task The_pull_requests_author_cannot_supply_its_code(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        // dana wrote the pull request (the stand-ins' default author) and may do anything else: on GitHub
        // she is an admin; on Azure DevOps, as its creator, she has Contribute.
        if (scenario is GateScenario github) github.GitHub.AddUser("dana", "admin");
        scenario.WriteConfig(scenario.StartingConfig + "approvers:\n  allow-author: false\n");
        var danas = scenario.CurrentCode();
        scenario.PersonAnswers("dana", $"/mfa {danas}");
        var alices = scenario.PersonAnswersOnceRemoved("alice", "dana");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        Assert.Contains($"Ignored a /mfa comment by {scenario.Mention("dana")}: wrote this pull request, and approvers.allow-author is false: another person must supply the code", run.StandardOutput);
        Assert.DoesNotContain(scenario.CodesSentToSts, r => r.TokenCode == danas);
        Assert.Equal([alices()], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.Equal(scenario.Login("alice"), scenario.Outputs()["authenticated-by"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_writer_who_committed_to_someone_elses_pull_request_cannot_supply_its_code()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddUser("bob", "write");
        scenario.WriteConfig(FourEyes);
        // dana opened the pull request; bob pushed a commit of his own to it. A merge in the browser
        // (committed by GitHub's web-flow) and a commit by an email of no account name nobody else.
        scenario.GitHub.AddCommits(GateScenario.PullRequest, "dana", 120); // the list spans two pages of 100
        var bobs = scenario.GitHub.AddCommit(GateScenario.PullRequest, "bob", "bob");
        scenario.GitHub.AddCommit(GateScenario.PullRequest, "dana", "web-flow");
        scenario.GitHub.AddCommit(GateScenario.PullRequest, null, null);
        var bobsCode = scenario.CurrentCode();
        scenario.PersonAnswers("bob", $"/mfa {bobsCode}");
        scenario.PersonAnswersOnceRemoved("alice", "bob");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Ignored a /mfa comment by @bob: authored commit {bobs.Sha[..7]} of this pull request, and approvers.allow-author is false: another person must supply the code", run.StandardOutput);
        Assert.DoesNotContain(scenario.CodesSentToSts, r => r.TokenCode == bobsCode);
        Assert.Equal("alice", scenario.Outputs()["authenticated-by"]);
        Assert.Contains(scenario.GitHub.Requests, r => r.Path.Contains($"/pulls/{GateScenario.PullRequest}/commits", StringComparison.Ordinal) && r.Path.Contains("page=2", StringComparison.Ordinal));
    }

    [Theory(Timeout = Timeout)]
    [InlineData("pull_request", "pushed the head of this pull request (the pull_request synchronize event that started this run)")]
    [InlineData("push", "pushed the commit this run is for (the push event that started it)")]
    public async Task The_writer_who_pushed_the_head_cannot_supply_its_code(string eventName, string why)
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddUser("carol", "write");
        scenario.WriteConfig(FourEyes);
        // carol pushed dana's commit (as a rebase keeps its author); only the event names her.
        var payload = eventName == "push"
            ? new JsonObject { ["ref"] = "refs/heads/feature", ["after"] = GateScenario.HeadSha, ["pusher"] = new JsonObject { ["name"] = "carol", ["email"] = "carol@example.com" }, ["sender"] = new JsonObject { ["login"] = "carol" } }
            : new JsonObject
            {
                ["action"] = "synchronize", ["number"] = GateScenario.PullRequest, ["sender"] = new JsonObject { ["login"] = "carol", ["type"] = "User" },
                ["pull_request"] = new JsonObject
                {
                    ["number"] = GateScenario.PullRequest, ["user"] = new JsonObject { ["login"] = "dana" },
                    ["head"] = new JsonObject { ["sha"] = GateScenario.HeadSha, ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
                    ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = scenario.GitHub.FullName } },
                },
            };
        scenario.WriteEvent(eventName, payload);
        var carols = scenario.CurrentCode();
        scenario.PersonAnswers("carol", $"/mfa {carols}");
        scenario.PersonAnswersOnceRemoved("alice", "carol");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Ignored a /mfa comment by @carol: {why}, and approvers.allow-author is false: another person must supply the code", run.StandardOutput);
        Assert.DoesNotContain(scenario.CodesSentToSts, r => r.TokenCode == carols);
        Assert.Equal("alice", scenario.Outputs()["authenticated-by"]);
    }

    [Fact(Timeout = Timeout)]
    public async Task When_the_commits_cannot_be_read_no_code_counts()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(FourEyes);
        scenario.Inputs["timeout"] = "5s";
        scenario.GitHub.InjectFault("GET", $"/pulls/{GateScenario.PullRequest}/commits", 403, count: 1, message: "Resource not accessible by integration");
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Ignored a /mfa comment by @alice: who committed to pull request #{GateScenario.PullRequest} cannot be read (could not read the commits of pull request #{GateScenario.PullRequest}: GitHub answered HTTP 403", run.StandardOutput);
        Assert.Contains("so approvers.allow-author: false cannot be honoured and no code counts (fail closed)", run.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_pull_request_longer_than_github_lists_leaves_its_committers_unknown_and_no_code_counts()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig(FourEyes);
        scenario.Inputs["timeout"] = "5s";
        scenario.GitHub.AddCommits(GateScenario.PullRequest, "dana", 260);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Ignored a /mfa comment by @alice: pull request #{GateScenario.PullRequest} has 250 commits or more, and GitHub lists no more than that", run.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("pushed")]
    [InlineData("authored")]
    public async Task On_azure_devops_who_pushed_to_or_authored_a_commit_of_the_pull_request_cannot_supply_its_code(string how)
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Azure.AddIdentity("bob@contoso.com", "Bob"); // Contribute
        scenario.WriteConfig(AzureScenario.Config + "approvers:\n  allow-author: false\n");
        // dana created the pull request; bob pushed to it, or dana pushed a commit bob wrote (git records his email).
        var commit = how == "pushed"
            ? scenario.Azure.Push(AzureScenario.PullRequest, "bob@contoso.com", authorEmail: "dana@contoso.com")
            : scenario.Azure.Push(AzureScenario.PullRequest, "dana@contoso.com", authorEmail: "BOB@contoso.com");
        if (how == "authored")
            for (var i = 0; i < 120; i++) scenario.Azure.Push(AzureScenario.PullRequest, "dana@contoso.com"); // bob's commit is on the second page
        var bobs = scenario.CurrentCode();
        scenario.PersonAnswers("bob@contoso.com", $"/mfa {bobs}");
        var alices = scenario.PersonAnswersOnceRemoved("alice@contoso.com", "bob@contoso.com");

        var run = await scenario.RunAsync();

        Assert.False(run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());
        var why = how == "pushed" ? "pushed update 2 of this pull request" : $"authored commit {commit.CommitId[..7]} of this pull request (as BOB@contoso.com)";
        Assert.Contains($"Ignored a /mfa comment by bob@contoso.com: {why}, and approvers.allow-author is false: another person must supply the code", run.StandardOutput);
        Assert.Equal([alices()], scenario.CodesSentToSts.Select(r => r.TokenCode));
        if (how == "authored")
            Assert.Contains(scenario.Azure.Requests, r => r.PathAndQuery.Contains("/commits?", StringComparison.Ordinal) && r.PathAndQuery.Contains("continuationToken=100", StringComparison.Ordinal));
    }
}
