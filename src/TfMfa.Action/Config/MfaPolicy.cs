namespace TfMfa.Config;

/// <summary>GitHub's repository permission levels, in order.</summary>
public enum RepoPermission { Read = 0, Triage = 1, Write = 2, Maintain = 3, Admin = 4 }

/// <param name="PlanRoleToAssume">The role plans assume instead (read-only, say); applies assume <paramref name="RoleToAssume"/>.</param>
public sealed record EnvironmentPolicy(MfaLevel Level, string? RoleToAssume, string? PlanRoleToAssume = null);

/// <param name="MinPermissionSetAt">Where min-permission was set (<c>.github/tfmfa.yml:7:19</c>, or default), for errors.</param>
/// <param name="Devices">Each person's own MFA device on the CI user (<c>devices:</c>); empty: everyone uses AWS_MFA_SERIAL_NUMBER.</param>
/// <param name="AllowSharedDevice">With devices set, whether someone without one may still use AWS_MFA_SERIAL_NUMBER.</param>
/// <param name="AllowAuthor">Whether the pull request's author may supply the code for it (false: four eyes on every change).</param>
public sealed record ApproverPolicy(RepoPermission MinPermission, IReadOnlyList<string> Users, string MinPermissionSetAt = "default",
    IReadOnlyDictionary<string, string>? Devices = null, bool AllowSharedDevice = false, bool AllowAuthor = true, IReadOnlyList<string>? Teams = null)
{
    /// <summary>Teams whose members may supply codes, besides <see cref="Users"/>: GitHub's <c>org/slug</c>, Azure DevOps' <c>Project/Team</c>.</summary>
    public IReadOnlyList<string> AllowedTeams { get; } = Teams ?? [];

    public IReadOnlyDictionary<string, string> PersonalDevices { get; } = Devices ?? new Dictionary<string, string>();

    /// <summary>The person's own device, or null.</summary>
    public string? DeviceOf(string person) =>
        PersonalDevices.FirstOrDefault(d => d.Key.Equals(person, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Whether AWS_MFA_SERIAL_NUMBER serves anyone: always without devices, else only when allowed.</summary>
    public bool UsesSharedDevice => PersonalDevices.Count == 0 || AllowSharedDevice;
}

/// <param name="Mode">Whether a running job waits for the code (poll), or ends after asking and the <c>/mfa</c> comment starts the run that answers (comment-trigger).</param>
/// <param name="Expires">comment-trigger: how long a request stays open (never past the next push to its pull request).</param>
public sealed record WaitPolicy(TimeSpan Timeout, TimeSpan PollInterval, int MaxAttempts, WaitMode Mode = WaitMode.Poll, TimeSpan? Expires = null)
{
    public static readonly TimeSpan DefaultExpiry = TimeSpan.FromDays(7);

    public TimeSpan RequestLifetime => Expires ?? DefaultExpiry;
}

public enum WaitMode { Poll, CommentTrigger }

public static class WaitModes
{
    public const string Expected = "poll or comment-trigger";

    public static string Name(this WaitMode mode) => mode == WaitMode.Poll ? "poll" : "comment-trigger";

    public static bool TryParse(string? text, out WaitMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "poll": mode = WaitMode.Poll; return true;
            case "comment-trigger": mode = WaitMode.CommentTrigger; return true;
            default: mode = WaitMode.Poll; return false;
        }
    }
}

/// <summary>One validated copy of the config, defaults applied and action inputs layered on top.</summary>
public sealed record MfaPolicy(
    MfaLevel DefaultLevel,
    IReadOnlyDictionary<string, EnvironmentPolicy> Environments,
    ApproverPolicy Approvers,
    WaitPolicy Wait,
    bool AllowForkPrs)
{
    /// <summary>An environment that names no entry gets <c>default-level</c>.</summary>
    public EnvironmentPolicy For(string environment) =>
        Environments.TryGetValue(environment, out var entry) ? entry : new EnvironmentPolicy(DefaultLevel, null);
}
