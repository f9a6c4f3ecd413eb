using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace TfMfa.Config;

/// <summary>
/// Layers defaults &lt; one config copy &lt; action inputs (Microsoft.Extensions.Configuration) and
/// validates the result into an <see cref="MfaPolicy"/>. Every problem is reported at once, each
/// naming the file:line:col or input that set the bad value.
/// </summary>
public static partial class PolicyBuilder
{
    public static readonly IReadOnlyDictionary<string, LocatedValue> Defaults = new Dictionary<string, LocatedValue>
    {
        ["default-level"] = new("never", "default"),
        ["approvers:min-permission"] = new("write", "default"),
        ["wait:timeout"] = new("10m", "default"),
        ["wait:poll-interval"] = new("2s", "default"),
        ["wait:max-attempts"] = new("3", "default"),
        ["wait:mode"] = new("poll", "default"),
        ["wait:expires"] = new("7d", "default"),
        ["allow-fork-prs"] = new("false", "default"),
        ["allow-shared-device"] = new("false", "default"),
        ["approvers:allow-author"] = new("true", "default"),
    };

    /// <summary>IAM: up to 8 MFA devices per user.</summary>
    public const int MaxDevicesPerUser = 8;

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::\d{12}:(mfa|u2f)/[\w+=,.@/-]{1,512}$")]
    private static partial Regex DeviceArnPattern();

    /// <summary>An Azure DevOps uniqueName: the sign-in address (alice@contoso.com) or DOMAIN\user on Azure DevOps Server.</summary>
    [GeneratedRegex(@"^(?=.{3,256}$)[^\s@:\\]+(@|\\)[^\s@:\\]+$")]
    private static partial Regex UniqueNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex TeamPattern();

    /// <summary>An Azure DevOps team: <c>Project/Team</c>, each at most 64 characters without the characters Azure DevOps refuses in names.</summary>
    [GeneratedRegex(@"^[^\\/:*?""'<>;#$%{},+=\[\]|\s._](?:[^\\/:*?""'<>;#$%{},+=\[\]|\p{Cc}]{0,62}[^\\/:*?""'<>;#$%{},+=\[\]|\s.])?/[^\\/:*?""'<>;#$%{},+=\[\]|\s](?:[^\\/:*?""'<>;#$%{},+=\[\]|\p{Cc}]{0,62}[^\\/:*?""'<>;#$%{},+=\[\]|\s])?$")]
    private static partial Regex AzureTeamPattern();

    private static bool IsPerson(string name) => GitHubLoginPattern().IsMatch(name) || UniqueNamePattern().IsMatch(name);

    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);
    public static readonly TimeSpan MinPollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(5);
    public const int MaxAttemptsLimit = 10;
    public static readonly TimeSpan MinExpiry = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxExpiry = TimeSpan.FromDays(30);

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")]
    private static partial Regex RoleArnPattern();

    /// <summary>
    /// What GitHub accepts as a login: letters, digits and single inner hyphens, up to 39; and
    /// Enterprise Managed Users' <c>handle_shortcode</c> form (<c>alice_acme</c>), whose handle is
    /// normalized from the identity provider and may itself hold underscores.
    /// </summary>
    [GeneratedRegex(@"^(?=.{1,100}$)[A-Za-z0-9](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_]))*(\[bot\])?$")]
    private static partial Regex GitHubLoginPattern();

    /// <param name="fileSettings">The config copy's settings, or null when that copy is absent.</param>
    /// <param name="inputSettings">Action inputs that override config keys (<c>timeout</c>, <c>role-to-assume</c>).</param>
    public static MfaPolicy Build(IReadOnlyDictionary<string, LocatedValue>? fileSettings, IReadOnlyDictionary<string, LocatedValue> inputSettings)
    {
        var builder = new ConfigurationBuilder().Add(new LocatedSettingsSource(Defaults));
        if (fileSettings is not null) builder.Add(new LocatedSettingsSource(fileSettings));
        var root = builder.Add(new LocatedSettingsSource(inputSettings)).Build();

        var problems = new List<string>();
        void Problem(string key, string message) => problems.Add($"{root.WhereIs(key)}: {message}");

        var defaultLevel = Level(root, "default-level", Problem);

        var environments = new Dictionary<string, EnvironmentPolicy>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in root.GetSection("environments").GetChildren())
        {
            var levelKey = $"environments:{entry.Key}:level";
            var level = root[levelKey] is null ? defaultLevel : Level(root, levelKey, Problem);
            var roleKey = $"environments:{entry.Key}:role-to-assume";
            var role = root[roleKey]?.Trim();
            if (role is { Length: 0 }) role = null;
            if (role is not null && !RoleArnPattern().IsMatch(role))
                Problem(roleKey, $"role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy (got '{role}')");
            var planRoleKey = $"environments:{entry.Key}:plan-role-to-assume";
            var planRole = root[planRoleKey]?.Trim();
            if (planRole is { Length: 0 }) planRole = null;
            if (planRole is not null && !RoleArnPattern().IsMatch(planRole))
                Problem(planRoleKey, $"plan-role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/terraform-plan (got '{planRole}')");
            environments[entry.Key] = new EnvironmentPolicy(level, role, planRole);
        }

        var minPermissionText = root["approvers:min-permission"]!;
        if (!Enum.TryParse<RepoPermission>(minPermissionText.Trim(), ignoreCase: true, out var minPermission)
            || !Enum.IsDefined(minPermission) || minPermissionText.Trim().Any(char.IsDigit))
            Problem("approvers:min-permission", $"min-permission must be one of read, triage, write, maintain, admin (got '{minPermissionText}')");

        var users = new List<string>();
        foreach (var user in root.GetSection("approvers:users").GetChildren())
        {
            var login = (user.Value ?? "").Trim().TrimStart('@');
            if (IsPerson(login)) users.Add(login);
            else Problem(user.Path, $"'{user.Value}' is not a GitHub login (letters, digits and single hyphens, at most 39 characters; Enterprise Managed Users add _shortcode, like alice_acme) nor an Azure DevOps uniqueName (alice@contoso.com)");
        }

        var teams = new List<string>();
        foreach (var team in root.GetSection("approvers:teams").GetChildren())
        {
            var name = (team.Value ?? "").Trim().TrimStart('@');
            if (TeamPattern().IsMatch(name) || AzureTeamPattern().IsMatch(name)) teams.Add(name);
            else Problem(team.Path, $"'{team.Value}' is not a team: write a GitHub team as organization/team-slug, like acme/platform, or an Azure DevOps team as Project/Team, like infra/Platform Team");
        }

        var timeout = DurationSetting(root, "wait:timeout", TimeSpan.FromSeconds(1), MaxTimeout, Problem);
        var pollInterval = DurationSetting(root, "wait:poll-interval", MinPollInterval, MaxPollInterval, Problem);

        var attemptsText = root["wait:max-attempts"]!.Trim();
        if (!int.TryParse(attemptsText, NumberStyles.None, CultureInfo.InvariantCulture, out var maxAttempts)
            || maxAttempts < 1 || maxAttempts > MaxAttemptsLimit)
            Problem("wait:max-attempts", $"max-attempts must be a whole number from 1 to {MaxAttemptsLimit} (got '{attemptsText}')");

        var modeText = root["wait:mode"]!.Trim();
        if (!WaitModes.TryParse(modeText, out var mode))
            Problem("wait:mode", $"mode must be {WaitModes.Expected} (got '{modeText}')");
        var expires = DurationSetting(root, "wait:expires", MinExpiry, MaxExpiry, Problem);

        var forkText = root["allow-fork-prs"]!.Trim();
        var allowForkPrs = false;
        if (!TryParseBoolean(forkText, out allowForkPrs))
            Problem("allow-fork-prs", $"allow-fork-prs must be true or false (got '{forkText}')");

        var devices = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in root.GetSection("devices").GetChildren())
        {
            var person = entry.Key.Trim().TrimStart('@');
            var arn = (entry.Value ?? "").Trim();
            if (!IsPerson(person))
                Problem(entry.Path, $"'{entry.Key}' is not a GitHub login nor an Azure DevOps uniqueName; devices maps people to their MFA devices");
            else if (!DeviceArnPattern().IsMatch(arn))
                Problem(entry.Path, $"the device of {person} must be an MFA device ARN like arn:aws:iam::123456789012:mfa/{person} (got '{arn}')");
            else devices[person] = arn;
        }
        if (devices.Values.Distinct(StringComparer.Ordinal).Count() > MaxDevicesPerUser)
            Problem("devices", $"devices lists {devices.Values.Distinct(StringComparer.Ordinal).Count()} MFA devices, but IAM allows at most {MaxDevicesPerUser} per user: give the others a second CI user, or let them share with allow-shared-device");
        var sharedText = root["allow-shared-device"]!.Trim();
        if (!TryParseBoolean(sharedText, out var allowShared))
            Problem("allow-shared-device", $"allow-shared-device must be true or false (got '{sharedText}')");

        var authorText = root["approvers:allow-author"]!.Trim();
        if (!TryParseBoolean(authorText, out var allowAuthor))
            Problem("approvers:allow-author", $"allow-author must be true or false (got '{authorText}')");

        if (problems.Count > 0) throw new ConfigException(problems);
        return new MfaPolicy(defaultLevel, environments, new ApproverPolicy(minPermission, users, root.WhereIs("approvers:min-permission"), devices, allowShared, allowAuthor, teams),
            new WaitPolicy(timeout, pollInterval, maxAttempts, mode, expires == WaitPolicy.DefaultExpiry ? null : expires), allowForkPrs);
    }

    /// <summary>YAML and GitHub's own boolean spellings: true/false in any case.</summary>
    public static bool TryParseBoolean(string? text, out bool value)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true": value = true; return true;
            case "false": value = false; return true;
            default: value = false; return false;
        }
    }

    private static MfaLevel Level(IConfigurationRoot root, string key, Action<string, string> problem)
    {
        var text = root[key] ?? "";
        if (MfaLevels.TryParse(text, out var level)) return level;
        problem(key, $"{LastPart(key)} must be one of {MfaLevels.Expected} (got '{text}')");
        return MfaLevel.PlansAndApplies; // strictest, so a later check can never loosen on a bad value
    }

    private static TimeSpan DurationSetting(IConfigurationRoot root, string key, TimeSpan min, TimeSpan max, Action<string, string> problem)
    {
        var text = root[key] ?? "";
        var name = LastPart(key);
        if (!Duration.TryParse(text, out var duration))
            problem(key, $"{name} must be {Duration.Expected} (got '{text}')");
        else if (duration < min || duration > max)
            problem(key, $"{name} must be between {Duration.Format(min)} and {Duration.Format(max)} (got '{text}')");
        return duration;
    }

    private static string LastPart(string key) => key[(key.LastIndexOf(':') + 1)..];
}
