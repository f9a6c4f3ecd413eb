using TfMfa.Config;
using TfMfa.Hosting;

namespace TfMfa.Conversation;

public sealed record ApproverCheck(bool Allowed, string Reason);

/// <summary>
/// Who may supply a code: not a bot, on <c>approvers.users</c> when that list is set, and with at
/// least <c>approvers.min-permission</c> on the repository. Permissions are looked up once per
/// person per run, and at most <see cref="MaxLookups"/> people are ever looked up, so a crowd of
/// strangers posting <c>/mfa</c> cannot spend the token's hourly budget.
/// </summary>
/// <param name="peopleBehindTheChange">Who opened the pull request the codes are for, committed to it or pushed it (null: there is none), for approvers.allow-author.</param>
/// <param name="isTeamMember">Whether someone is in a team of approvers.teams (a GitHub team, an Azure DevOps team); null where the platform has no such teams.</param>
public sealed class Approvers(ApproverPolicy policy, Func<ConversationAuthor, CancellationToken, Task<RepoPermission?>> lookUp,
    Func<CancellationToken, Task<PeopleBehindTheChange>>? peopleBehindTheChange = null, Func<string, ConversationAuthor, CancellationToken, Task<bool>>? isTeamMember = null)
{
    /// <summary>Who is behind the change: read once a run (one key).</summary>
    private readonly LookupCache<string, PeopleBehindTheChange> _behind = new();
    private const string ThePullRequest = "the pull request";

    /// <summary>Different people whose permission one run reads at most; GITHUB_TOKEN has 1,000 requests an hour.</summary>
    public const int MaxLookups = 50;

    private readonly LookupCache<string, RepoPermission?> _permissions = new(StringComparer.OrdinalIgnoreCase);
    private readonly LookupCache<string, bool> _memberships = new(StringComparer.OrdinalIgnoreCase);

    public ApproverPolicy Policy => policy;

    /// <summary>The verdict when it needs no request (bots, the users list, someone already looked up); else null.</summary>
    public ApproverCheck? Known(ConversationAuthor author)
    {
        if (Prejudged(author) is { } verdict) return verdict;
        if (policy.AllowedTeams.Count > 0 && !policy.Users.Contains(author.Name, StringComparer.OrdinalIgnoreCase)) return null; // membership is read by CheckAsync
        if (!policy.AllowAuthor && peopleBehindTheChange is not null)
        {
            if (!_behind.TryGetAnswer(ThePullRequest, out var known)) return null;
            if (known.Refusal(author) is { } refused) return new ApproverCheck(false, refused);
        }
        return _permissions.TryGetAnswer(author.Key, out var permission) ? Verdict(permission) : null;
    }

    public async Task<ApproverCheck> CheckAsync(ConversationAuthor author, CancellationToken cancellationToken)
    {
        if (Prejudged(author) is { } verdict) return verdict;
        if (policy.AllowedTeams.Count > 0 && !policy.Users.Contains(author.Name, StringComparer.OrdinalIgnoreCase)
            && await TeamVerdictAsync(author, cancellationToken) is { } notInTeam)
            return notInTeam;
        if (!policy.AllowAuthor && peopleBehindTheChange is not null)
        {
            var people = await _behind.GetAsync(ThePullRequest, () => peopleBehindTheChange(cancellationToken));
            if (people.Refusal(author) is { } refused) return new ApproverCheck(false, refused);
        }
        if (_permissions.Get(author.Key, () => lookUp(author, cancellationToken), MaxLookups) is not { } lookup)
            return new ApproverCheck(false, $"more than {MaxLookups} different people posted /mfa comments during this run, so no more permissions are read; " +
                                            "name the people who may supply codes in approvers.users on the default branch");
        return Verdict(await lookup);
    }

    /// <summary>Not on approvers.users and in none of approvers.teams: refused. Each membership is read once a run.</summary>
    private async Task<ApproverCheck?> TeamVerdictAsync(ConversationAuthor author, CancellationToken cancellationToken)
    {
        if (isTeamMember is null)
            return new ApproverCheck(false, "approvers.teams names teams, which this platform cannot check, so no code counts from anyone off approvers.users (fail closed)");
        foreach (var team in policy.AllowedTeams)
            if (await _memberships.GetAsync($"{team}:{author.Key}", () => isTeamMember(team, author, cancellationToken)))
                return null;
        return new ApproverCheck(false, $"not on approvers.users nor in {string.Join(", ", policy.AllowedTeams)} (approvers.teams in the default branch's config)");
    }

    private ApproverCheck? Prejudged(ConversationAuthor author)
    {
        if (author.IsBot || author.Name.EndsWith("[bot]", StringComparison.Ordinal))
            return new ApproverCheck(false, "bot accounts never supply codes");
        if (policy.Users.Count > 0 && policy.AllowedTeams.Count == 0 && !policy.Users.Contains(author.Name, StringComparer.OrdinalIgnoreCase))
            return new ApproverCheck(false, "not on approvers.users in the default branch's config");
        if (!policy.UsesSharedDevice && policy.DeviceOf(author.Name) is null)
            return new ApproverCheck(false, "has no MFA device of their own under devices: in the default branch's config (and allow-shared-device is false)");
        return null;
    }

    private ApproverCheck Verdict(RepoPermission? permission)
    {
        if (permission is null)
            return new ApproverCheck(false, "has no permission on the repository");
        if (permission < policy.MinPermission)
            return new ApproverCheck(false, $"has {permission.Value.ToString().ToLowerInvariant()} permission, below approvers.min-permission ({policy.MinPermission.ToString().ToLowerInvariant()})");
        return new ApproverCheck(true, $"has {permission.Value.ToString().ToLowerInvariant()} permission");
    }
}
