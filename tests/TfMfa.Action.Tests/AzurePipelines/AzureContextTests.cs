using TfMfa.AzurePipelines;
using TfMfa.Hosting;

namespace TfMfa.Tests.AzurePipelines;

public sealed class AzureContextTests
{
    private static readonly Dictionary<string, string> Agent = new()
    {
        ["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/contoso/",
        ["SYSTEM_TEAMPROJECT"] = "infra",
        ["SYSTEM_TEAMPROJECTID"] = "8f0b2c6e-4d1a-4c55-9a3e-1f2b3c4d5e6f",
        ["BUILD_REPOSITORY_ID"] = "3a9d7c21-5b6e-4f80-a1b2-c3d4e5f60718",
        ["BUILD_BUILDID"] = "4242",
        ["BUILD_REASON"] = "PullRequest",
        ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = "31",
    };

    private static AzureContext Read(params (string Name, string? Value)[] changes)
    {
        var variables = new Dictionary<string, string>(Agent);
        foreach (var (name, value) in changes)
            if (value is null) variables.Remove(name); else variables[name] = value;
        return AzureContext.Read(new DictionaryEnvironment(variables));
    }

    [Theory]
    [InlineData("False", null)]
    [InlineData("True", "comes from a fork")]
    [InlineData(null, "does not say whether it comes from a fork")]
    public void A_pull_request_build_is_a_fork_unless_the_agent_says_it_is_not(string? isFork, string? why)
    {
        var foreign = Read(("SYSTEM_PULLREQUEST_ISFORK", isFork)).ForeignCode();

        if (why is null) Assert.Null(foreign);
        else Assert.Contains(why, foreign);
    }

    [Fact]
    public void A_build_of_a_branch_runs_the_repositorys_own_code() =>
        Assert.Null(Read(("BUILD_REASON", "IndividualCI"), ("SYSTEM_PULLREQUEST_PULLREQUESTID", null)).ForeignCode());

    [Fact]
    public void Missing_agent_variables_are_named()
    {
        var error = Assert.Throws<TfMfaException>(() => Read(("SYSTEM_TEAMPROJECTID", null), ("BUILD_BUILDID", null)));

        Assert.Contains("SYSTEM_TEAMPROJECTID, BUILD_BUILDID are not set", error.Message);
    }

    [Fact]
    public void The_run_link_points_at_the_builds_results_page() =>
        Assert.Equal("https://dev.azure.com/contoso/infra/_build/results?buildId=4242", Read().RunUrl);
}
