namespace TfMfa.Codes;

/// <summary>
/// Where one-time codes come from: the terminal, a pull-request conversation, an environment
/// approval. Like aws-vault's prompt functions, every channel plugs into the gate the same way; the
/// gate's attempt loop (<see cref="Gate.CodeWait"/>) is the only caller. A channel lives for a run
/// and may serve several requests (an approval's code is used once, for the first).
/// </summary>
public interface ICodeChannel
{
    /// <summary>Opens a request for a code; a channel that shows requests (a conversation) posts it here or when first asked.</summary>
    Task<ICodeRequest> OpenAsync(CodeRequest request, CancellationToken cancellationToken);

    /// <summary>What keeps failing while the channel waits (the platform's last answer), or null: the time-out's error names it.</summary>
    string? Trouble => null;
}

/// <summary>One request for one code, from the moment it is opened until it is closed.</summary>
public interface ICodeRequest : IAsyncDisposable
{
    /// <summary>
    /// Waits for a code for <paramref name="attempt"/> (which says why the last code failed).
    /// Throws <see cref="CodeWaitCancelledException"/> when a person cancels, <see cref="TfMfaException"/>
    /// when no code can come (closed input), and <see cref="OperationCanceledException"/> when the token is cancelled.
    /// </summary>
    Task<SuppliedCode> NextCodeAsync(Attempt attempt, CancellationToken cancellationToken);

    /// <summary>Tells the people asked how the request ended. Called once by the gate; a second call does nothing.</summary>
    Task CloseAsync(Outcome outcome, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Why the request the accepted code answered no longer says what TfMfa last wrote (someone edited
    /// or deleted it), or null: asked just before terraform runs with the session. A request that
    /// shows nothing (the terminal, an approval) has nothing to rewrite.
    /// </summary>
    Task<string?> RewrittenAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    ValueTask IAsyncDisposable.DisposeAsync() => ValueTask.CompletedTask;
}
