namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// A request for a code as a person sees it on either platform: a comment on GitHub, the first
/// comment of a thread on Azure DevOps.
/// </summary>
/// <param name="History">Every text it had, first the one that asked.</param>
/// <param name="Text">What it says now.</param>
/// <param name="Status">The thread's status on Azure DevOps (<c>active</c>, <c>closed</c>); null on GitHub, where a comment has none.</param>
public sealed record RequestView(IReadOnlyList<string> History, string Text, string? Status);
