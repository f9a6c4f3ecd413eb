using TfMfa.Config;

namespace TfMfa.Inputs;

/// <summary>How long STS credentials live, checked against AWS's limits for the call that will be made.</summary>
public sealed record SessionDuration(TimeSpan Value, string Where)
{
    public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(900);
    /// <summary>GetSessionToken for an IAM user: 36 hours.</summary>
    public static readonly TimeSpan GetSessionTokenMaximum = TimeSpan.FromHours(36);
    /// <summary>AssumeRole: 12 hours, and no more than the role's own maximum session duration.</summary>
    public static readonly TimeSpan AssumeRoleMaximum = TimeSpan.FromHours(12);

    public static bool TryParse(string text, string where, out SessionDuration? duration, out string? error)
    {
        duration = null;
        error = null;
        if (!Duration.TryParse(text, out var value))
        {
            error = $"{where}: session-duration must be seconds (3600) or {Duration.Expected} (got '{text}')";
            return false;
        }
        if (value < Minimum || value > GetSessionTokenMaximum)
        {
            error = $"{where}: session-duration must be between 900 seconds (15m) and 129600 seconds (36h), AWS's limits (got '{text}')";
            return false;
        }
        duration = new SessionDuration(value, where);
        return true;
    }

    /// <summary>AssumeRole allows less than GetSessionToken; checked once we know a role is used.</summary>
    public void EnsureFitsAssumeRole(string roleArn)
    {
        if (Value > AssumeRoleMaximum)
            throw new ConfigException([$"{Where}: session-duration {Value.TotalSeconds:0} seconds is more than AssumeRole allows (43200 seconds, 12h) for {roleArn}; lower it, and keep it within the role's maximum session duration"]);
    }

    public int Seconds => (int)Value.TotalSeconds;
}
