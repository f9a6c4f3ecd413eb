using TfMfa.Config;

namespace TfMfa.GitHub;

/// <summary>The config as it stands on the default branch, through the contents API.</summary>
public static class GitHubDefaultBranch
{
    public static IDefaultBranchConfig Reader(OctokitGitHubApi github) => new DefaultBranchReader(
        async cancellationToken =>
        {
            var repository = await github.GetRepositoryAsync(cancellationToken);
            return new DefaultBranchRepository(repository.DefaultBranch, repository.AnyoneCanRead);
        },
        github.GetFileAsync,
        "every GitHub user");
}
