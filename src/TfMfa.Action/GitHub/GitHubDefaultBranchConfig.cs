using TfMfa.Config;

namespace TfMfa.GitHub;

/// <summary>The config as it stands on the default branch, through the contents API. Anything but a 404 fails closed.</summary>
public sealed class GitHubDefaultBranchConfig(OctokitGitHubApi github) : IDefaultBranchConfig
{
    private GitHubRepository? _repository;

    public bool IsAvailable => true;

    public string EveryoneWhoCanRead => "every GitHub user";

    public async Task<string> BranchNameAsync(CancellationToken cancellationToken) => (await RepositoryAsync(cancellationToken)).DefaultBranch;

    public async Task<bool> AnyoneCanReadAsync(CancellationToken cancellationToken) => (await RepositoryAsync(cancellationToken)).AnyoneCanRead;

    private async Task<GitHubRepository> RepositoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return _repository ??= await github.GetRepositoryAsync(cancellationToken);
        }
        catch (GitHubException e)
        {
            throw DefaultBranchFailure.NotFound(e.Message, e);
        }
    }

    public async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var branch = await BranchNameAsync(cancellationToken);
        try
        {
            return await github.GetFileAsync(path, branch, cancellationToken);
        }
        catch (GitHubException e)
        {
            throw DefaultBranchFailure.Unreadable(path, branch, e.Message, e);
        }
    }
}
