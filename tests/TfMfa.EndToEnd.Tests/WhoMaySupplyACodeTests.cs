using TfMfa.EndToEnd.AzurePipelines;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Who may supply a code, through the real program, the stand-ins and real terraform: enough
/// permission on the repository, and where the config names approvers.teams, a member of one. What
/// both platforms share is a theory over both; how each reads a team's members, and fails closed
/// when it cannot, is each platform's own.
/// </summary>
public sealed class WhoMaySupplyACodeTests
{
    private const int Timeout = 180_000;

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task A_code_from_someone_who_may_only_read_is_removed_and_never_reaches_sts_and_an_allowed_persons_is(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        scenario.AddPerson("mallory", "read");
        var stolen = scenario.CurrentCode();
        scenario.PersonAnswers("mallory", $"/mfa {stolen}");
        var alices = scenario.PersonAnswersOnceRemoved("alice", "mallory");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        Assert.Contains($"Ignored a /mfa comment by {scenario.Mention("mallory")}: has read permission, below approvers.min-permission (write) (the comment was removed, so its code is not visible).", run.StandardOutput);
        Assert.Equal([alices()], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.True(scenario.CommentRemoved("mallory"));
        // Where the platform keeps the permission: the collaborator's permission; the repository's access control list.
        var permission = platform == Platform.GitHub ? "/collaborators/mallory/permission" : "accesscontrollists/2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87";
        Assert.Contains(scenario.ApiRequests(), path => path.Contains(permission, StringComparison.Ordinal));
        SecretScan.AssertNoSecrets(scenario, [run], stolen, alices());
    }

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task Approvers_teams_admit_their_members_and_no_one_else(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        scenario.AddPerson("erin"); // may write, but is in no team
        string team;
        if (scenario is GateScenario github)
        {
            team = "acme/platform";
            github.GitHub.AddTeam(team, "alice");
            github.Inputs["github-token"] = github.GitHub.OrgReaderToken; // a token that can read team membership
        }
        else
        {
            var azure = (AzureScenario)scenario;
            team = "infra/Platform Team";
            var admins = azure.Azure.AddIdentity("[infra]\\Platform Admins", "Platform Admins", isContainer: true);
            azure.Azure.AddTeam("Platform Team", azure.Alice, admins);
        }
        scenario.WriteConfig(scenario.StartingConfig + $"approvers:\n  teams: ['{team}']\n");
        var erins = scenario.CurrentCode();
        scenario.PersonAnswers("erin", $"/mfa {erins}");
        var alices = scenario.PersonAnswersOnceRemoved("alice", "erin");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        Assert.Contains($"Ignored a /mfa comment by {scenario.Mention("erin")}: not on approvers.users nor in {team} (approvers.teams in the default branch's config)", run.StandardOutput);
        Assert.Equal([alices()], scenario.CodesSentToSts.Select(r => r.TokenCode));
        Assert.Equal(scenario.Login("alice"), scenario.Outputs()["authenticated-by"]);
        Assert.Contains($"members of `{team}` may answer", scenario.Requests()[0].History[0]);
        if (platform == Platform.AzureDevOps)
            // The team was read once for both people, through its documented route.
            Assert.Single(scenario.ApiRequests(), path => path.Contains("/_apis/projects/infra/teams/Platform%20Team/members?", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task Approvers_teams_with_the_jobs_own_token_fail_closed_saying_which_token_can()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.GitHub.AddTeam("acme/platform", "alice");
        scenario.WriteConfig(GateScenario.ProductionConfig + "approvers:\n  teams: [acme/platform]\n");
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("approvers.teams needs a token that can read team membership, and github-token cannot", run.StandardOutput);
        Assert.Contains("Members: read", run.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
    }

    [Fact(Timeout = Timeout)]
    public async Task Approvers_teams_the_build_identity_cannot_read_fail_closed_saying_what_to_check()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.Azure.AddTeam("Platform Team", scenario.Alice);
        scenario.Azure.BuildIdentityMayReadTeams = false;
        scenario.WriteConfig(AzureScenario.Config + "approvers:\n  teams: ['infra/Platform Team']\n");
        scenario.PersonAnswers("alice@contoso.com", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.Contains("##vso[task.complete result=Failed;]", run.StandardOutput);
        Assert.Contains("approvers.teams names 'infra/Platform Team', and Azure DevOps does not let the build identity read its members (", run.StandardOutput);
        Assert.Contains("does not exist, or you do not have permission to access it", run.StandardOutput);
        Assert.Contains("View project-level information", run.StandardOutput);
        Assert.Empty(scenario.CodesSentToSts);
    }
}
