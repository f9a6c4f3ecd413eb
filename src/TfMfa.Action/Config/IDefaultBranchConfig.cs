namespace TfMfa.Config;

/// <summary>
/// Reads a config file as it stands on the repository's default branch (GitHub's contents API,
/// Azure Repos' items API). Returns null when the file does not exist there; any other failure
/// throws (<see cref="DefaultBranchFailure"/> words it), and the run fails closed.
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

/// <summary>The fail-closed errors every default-branch reader raises, in one wording.</summary>
public static class DefaultBranchFailure
{
    public static TfMfaException NotFound(string answer, Exception inner) =>
        new($"Could not find the default branch, so its config cannot be checked and the run stops (fail closed): {answer}", inner);

    public static TfMfaException Unreadable(string path, string branch, string answer, Exception inner) =>
        new($"Could not read {path} on the default branch ({branch}), so the run stops rather than risk a lower MFA level (fail closed): {answer}", inner);
}

/// <summary>A run with no repository service to ask (a laptop): only the workspace copy exists.</summary>
public sealed class NoDefaultBranch : IDefaultBranchConfig
{
    public bool IsAvailable => false;
    public string EveryoneWhoCanRead => "";
    public Task<string> BranchNameAsync(CancellationToken cancellationToken) => Task.FromResult("");
    public Task<string?> ReadAsync(string path, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
