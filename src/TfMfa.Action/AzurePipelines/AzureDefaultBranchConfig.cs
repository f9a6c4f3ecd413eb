using TfMfa.Config;

namespace TfMfa.AzurePipelines;

/// <summary>The config as it stands on the repository's default branch, through the items API. 404 is absent; anything else that is not the file fails closed.</summary>
public sealed class AzureDefaultBranchConfig(AzureReposApi api) : IDefaultBranchConfig
{
    /// <summary>The most a config may hold, as on GitHub.</summary>
    private const int MaxLength = 1 << 20;
    private GitRepository? _repository;

    public bool IsAvailable => true;

    public string EveryoneWhoCanRead => "everyone, signed in or not (a public project),";

    public async Task<string> BranchNameAsync(CancellationToken cancellationToken)
    {
        var branch = (await RepositoryAsync(cancellationToken)).DefaultBranch;
        if (branch is not { Length: > 0 })
            throw new TfMfaException("The repository has no default branch, so its config cannot be checked and the run stops (fail closed): push a branch and set it as the default.");
        return branch.StartsWith("refs/heads/", StringComparison.Ordinal) ? branch["refs/heads/".Length..] : branch;
    }

    public async Task<bool> AnyoneCanReadAsync(CancellationToken cancellationToken) =>
        string.Equals((await RepositoryAsync(cancellationToken)).Project?.Visibility, "public", StringComparison.OrdinalIgnoreCase);

    private async Task<GitRepository> RepositoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return _repository ??= await api.RepositoryAsync(cancellationToken);
        }
        catch (AzureDevOpsException e)
        {
            throw DefaultBranchFailure.NotFound(e.Message, e);
        }
    }

    public async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var branch = await BranchNameAsync(cancellationToken);
        GitItem? item;
        try
        {
            item = await api.ItemAsync("/" + path.TrimStart('/'), branch, cancellationToken);
        }
        catch (AzureDevOpsException e)
        {
            throw DefaultBranchFailure.Unreadable(path, branch, e.Message, e);
        }
        if (item is null) return null;
        if (item.IsFolder == true || (item.GitObjectType is { } kind && !kind.Equals("blob", StringComparison.OrdinalIgnoreCase)))
            throw new TfMfaException($"{path} on the default branch ({branch}) is a {item.GitObjectType ?? "folder"}, not a file, so the run stops (fail closed): make it the config file.");
        if (item.Content is null)
            throw new TfMfaException($"Azure DevOps answered {path} on the default branch ({branch}) without its content, so the run stops (fail closed).");
        if (item.Content.Length > MaxLength)
            throw new TfMfaException($"{path} on the default branch ({branch}) is over 1 MB, so it is not read and the run stops (fail closed): a TfMfa config is a few lines.");
        return item.Content;
    }
}
