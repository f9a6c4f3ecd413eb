using TfMfa.Config;
using TfMfa.GitHub;

namespace TfMfa.Codes;

public sealed record ApproverCheck(bool Allowed, string Reason);

/// <summary>
/// Who may supply a code: not a bot, on <c>approvers.users</c> when that list is set, and with at
/// least <c>approvers.min-permission</c> on the repository. Permissions are looked up once per login per run.
/// </summary>
public sealed class Approvers(ApproverPolicy policy, IGitHubApi github)
{
    private readonly Dictionary<string, RepoPermission?> _permissions = new(StringComparer.OrdinalIgnoreCase);

    public ApproverPolicy Policy => policy;

    public async Task<ApproverCheck> CheckAsync(string login, bool isBot, CancellationToken cancellationToken)
    {
        if (isBot || login.EndsWith("[bot]", StringComparison.Ordinal))
            return new ApproverCheck(false, "bot accounts never supply codes");
        if (policy.Users.Count > 0 && !policy.Users.Contains(login, StringComparer.OrdinalIgnoreCase))
            return new ApproverCheck(false, "not on approvers.users in the default branch's config");

        if (!_permissions.TryGetValue(login, out var permission))
            _permissions[login] = permission = await github.GetPermissionAsync(login, cancellationToken);
        if (permission is null)
            return new ApproverCheck(false, "has no permission on the repository");
        if (permission < policy.MinPermission)
            return new ApproverCheck(false, $"has {permission.Value.ToString().ToLowerInvariant()} permission, below approvers.min-permission ({policy.MinPermission.ToString().ToLowerInvariant()})");
        return new ApproverCheck(true, $"has {permission.Value.ToString().ToLowerInvariant()} permission");
    }
}
