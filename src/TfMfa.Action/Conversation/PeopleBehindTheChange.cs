namespace TfMfa.Conversation;

/// <summary>
/// Someone the platform names as behind the change: an author or committer of one of the pull
/// request's commits, or the pusher of its head.
/// </summary>
/// <param name="Did">What they did, as the refusal says it: "committed 0f3c9a1 to this pull request".</param>
/// <param name="Identities">What a writer is matched against: logins, uniqueNames, emails, identity ids (case-insensitive).</param>
public sealed record ChangeContributor(string Did, IReadOnlyList<string> Identities)
{
    public bool Is(ConversationAuthor writer) =>
        Identities.Any(i => i.Equals(writer.Key, StringComparison.OrdinalIgnoreCase) || i.Equals(writer.Name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The people behind a pull request, for <c>approvers.allow-author: false</c>, following GitHub's own
/// "approval of the most recent reviewable push": who opened it, who authored or committed its
/// commits, who pushed its head. When any of that cannot be read, <see cref="Unknown"/> says why,
/// and no code counts (fail closed).
/// </summary>
/// <param name="Opener">Who opened the pull request (a login, a uniqueName).</param>
public sealed record PeopleBehindTheChange(string? Opener, IReadOnlyList<ChangeContributor> Contributors, string? Unknown = null)
{
    public static PeopleBehindTheChange CannotBeEstablished(string why) => new(null, [], why);

    /// <summary>Why <paramref name="writer"/> may not supply the code, or null when they are none of these people.</summary>
    public string? Refusal(ConversationAuthor writer)
    {
        const string another = "and approvers.allow-author is false: another person must supply the code";
        if (Unknown is { } why) return $"{why}, so approvers.allow-author: false cannot be honoured and no code counts (fail closed)";
        if (Opener is null) return "who wrote the pull request cannot be established, so approvers.allow-author: false cannot be honoured and no code counts (fail closed)";
        if (Opener.Equals(writer.Name, StringComparison.OrdinalIgnoreCase)) return $"wrote this pull request, {another}";
        return Contributors.FirstOrDefault(c => c.Is(writer)) is { } contributor ? $"{contributor.Did}, {another}" : null;
    }
}
