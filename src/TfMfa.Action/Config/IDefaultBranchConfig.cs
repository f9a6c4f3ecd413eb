namespace TfMfa.Config;

/// <summary>
/// Reads a config file as it stands on the repository's default branch (GitHub's contents API,
/// Azure Repos' items API). Returns null when the file does not exist there; any other failure
/// throws, and the run fails closed (<see cref="DefaultBranchReader"/>).
/// </summary>
public interface IDefaultBranchConfig
{
    /// <summary>Whether a default branch can be consulted at all (false for a local terminal run).</summary>
    bool IsAvailable { get; }

    /// <summary>The branch name, for messages (<c>main</c>).</summary>
    Task<string> BranchNameAsync(CancellationToken cancellationToken);

    Task<string?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Whether every signed-in user can read the repository (public; internal to a whole enterprise), so has at least read permission.</summary>
    Task<bool> AnyoneCanReadAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>Who that is, for the error that refuses min-permission: read.</summary>
    string EveryoneWhoCanRead { get; }
}

/// <summary>A repository as its service describes it: the default branch (null when there is none) and whether anyone can read it.</summary>
public sealed record DefaultBranchRepository(string? DefaultBranch, bool AnyoneCanRead);

/// <summary>
/// The default branch's config through a repository service's API (GitHub's contents API, Azure
/// Repos' items API): the repository is found once, and anything but "no such file" stops the run
/// (fail closed). Each platform gives only its two calls; the rules and their wording are here, once.
/// </summary>
/// <param name="findRepository">The repository's description; a <see cref="Conversation.ConversationException"/> when the service will not say.</param>
/// <param name="readFile">A file's text on a branch, or null when it does not exist there.</param>
public sealed class DefaultBranchReader(
    Func<CancellationToken, Task<DefaultBranchRepository>> findRepository,
    Func<string, string, CancellationToken, Task<string?>> readFile,
    string everyoneWhoCanRead) : IDefaultBranchConfig
{
    private readonly Hosting.LookupCache<string, DefaultBranchRepository> _repository = new();

    public bool IsAvailable => true;

    public string EveryoneWhoCanRead => everyoneWhoCanRead;

    public async Task<string> BranchNameAsync(CancellationToken cancellationToken) =>
        (await RepositoryAsync(cancellationToken)).DefaultBranch is { Length: > 0 } branch
            ? branch
            : throw new TfMfaException("The repository has no default branch, so its config cannot be checked and the run stops (fail closed): push a branch and set it as the default.");

    public async Task<bool> AnyoneCanReadAsync(CancellationToken cancellationToken) => (await RepositoryAsync(cancellationToken)).AnyoneCanRead;

    private async Task<DefaultBranchRepository> RepositoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _repository.GetAsync("repository", () => findRepository(cancellationToken));
        }
        catch (Conversation.ConversationException e)
        {
            throw new TfMfaException($"Could not find the default branch, so its config cannot be checked and the run stops (fail closed): {e.Message}", e);
        }
    }

    public async Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var branch = await BranchNameAsync(cancellationToken);
        try
        {
            return await readFile(path, branch, cancellationToken);
        }
        catch (Conversation.ConversationException e)
        {
            throw new TfMfaException($"Could not read {path} on the default branch ({branch}), so the run stops rather than risk a lower MFA level (fail closed): {e.Message}", e);
        }
    }
}

/// <summary>A run with no repository service to ask (a laptop): only the workspace copy exists.</summary>
public sealed class NoDefaultBranch : IDefaultBranchConfig
{
    public bool IsAvailable => false;
    public string EveryoneWhoCanRead => "";
    public Task<string> BranchNameAsync(CancellationToken cancellationToken) => Task.FromResult("");
    public Task<string?> ReadAsync(string path, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
