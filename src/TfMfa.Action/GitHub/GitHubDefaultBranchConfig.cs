using TfMfa.Config;
using TfMfa.Gate;

namespace TfMfa.GitHub;

/// <summary>The config as it stands on the default branch, through the contents API. Anything but a 404 fails closed.</summary>
public sealed class GitHubDefaultBranchConfig(IGitHubApi github) : IDefaultBranchConfig
{
    private GitHubRepository? _repository;

    public bool IsAvailable => true;

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
            throw new TfMfaException($"Could not find the default branch, so its config cannot be checked and the run stops (fail closed): {e.Message}", e);
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
            throw new TfMfaException($"Could not read {path} on the default branch ({branch}), so the run stops rather than risk a lower MFA level (fail closed): {e.Message}", e);
        }
    }
}
