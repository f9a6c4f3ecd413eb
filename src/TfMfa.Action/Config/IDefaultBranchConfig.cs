namespace TfMfa.Config;

/// <summary>
/// Reads a config file as it stands on the repository's default branch (on GitHub, through the
/// contents API). Returns null when the file does not exist there; any other failure throws, and
/// the run fails closed.
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
    string EveryoneWhoCanRead => "every GitHub user";
}

/// <summary>A run outside GitHub (a laptop): only the workspace copy exists.</summary>
public sealed class NoDefaultBranch : IDefaultBranchConfig
{
    public bool IsAvailable => false;
    public Task<string> BranchNameAsync(CancellationToken cancellationToken) => Task.FromResult("");
    public Task<string?> ReadAsync(string path, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
