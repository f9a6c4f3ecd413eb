using TfMfa.Config;

namespace TfMfa.AzurePipelines;

/// <summary>The config as it stands on the repository's default branch, through the items API. 404 is absent; anything else that is not the file fails closed.</summary>
public static class AzureDefaultBranch
{
    /// <summary>The most a config may hold, as on GitHub.</summary>
    private const int MaxLength = 1 << 20;

    public static IDefaultBranchConfig Reader(AzureReposApi api) => new DefaultBranchReader(
        async cancellationToken =>
        {
            var repository = await api.RepositoryAsync(cancellationToken);
            var branch = repository.DefaultBranch is { } name && name.StartsWith("refs/heads/", StringComparison.Ordinal) ? name["refs/heads/".Length..] : repository.DefaultBranch;
            return new DefaultBranchRepository(branch, string.Equals(repository.Project?.Visibility, "public", StringComparison.OrdinalIgnoreCase));
        },
        (path, branch, cancellationToken) => ReadFileAsync(api, path, branch, cancellationToken),
        "everyone, signed in or not (a public project),");

    private static async Task<string?> ReadFileAsync(AzureReposApi api, string path, string branch, CancellationToken cancellationToken)
    {
        var item = await api.ItemAsync("/" + path.TrimStart('/'), branch, cancellationToken);
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
