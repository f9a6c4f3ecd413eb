using System.Globalization;
using System.Text.RegularExpressions;

namespace TfMfa.Config;

/// <summary>
/// Durations as people write them in workflows: <c>90s</c>, <c>10m</c>, <c>1h</c>, <c>1h30m</c>,
/// <c>7d</c>, or plain seconds (<c>600</c>).
/// </summary>
public static partial class Duration
{
    public const string Expected = "a duration like 90s, 10m, 1h30m or plain seconds";

    [GeneratedRegex(@"^(?:(?<d>\d+)d)?(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+)s)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0 || trimmed.Length > 32) return false;

        if (trimmed.All(char.IsAsciiDigit))
            return TryFromSeconds(trimmed, "0", "0", out duration);

        var match = UnitsPattern().Match(trimmed);
        if (!match.Success) return false;
        var days = Group(match, "d");
        if (days.Length > 6) return false;
        if (!TryFromSeconds(Group(match, "s"), Group(match, "m"), Group(match, "h"), out duration)) return false;
        var total = duration.TotalDays + long.Parse(days, CultureInfo.InvariantCulture);
        if (total > TimeSpan.MaxValue.TotalDays - 1) return false;
        duration += TimeSpan.FromDays(long.Parse(days, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>Formats for people: <c>10m</c>, <c>1h30m</c>, <c>45s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var total = (long)Math.Round(duration.TotalSeconds);
        if (total <= 0) return "0s";
        var parts = "";
        if (total >= 3600) parts += $"{total / 3600}h";
        if (total % 3600 >= 60) parts += $"{total % 3600 / 60}m";
        if (total % 60 != 0) parts += $"{total % 60}s";
        return parts;
    }

    private static string Group(Match match, string name) => match.Groups[name].Success ? match.Groups[name].Value : "0";

    private static bool TryFromSeconds(string seconds, string minutes, string hours, out TimeSpan duration)
    {
        duration = default;
        // Ten digits per part is already ~300 years; anything longer is a typo, not a wait.
        if (seconds.Length > 10 || minutes.Length > 10 || hours.Length > 10) return false;
        var total = long.Parse(seconds, CultureInfo.InvariantCulture)
                    + 60 * long.Parse(minutes, CultureInfo.InvariantCulture)
                    + 3600 * long.Parse(hours, CultureInfo.InvariantCulture);
        if (total > (long)TimeSpan.MaxValue.TotalSeconds) return false; // found by the property tests
        duration = TimeSpan.FromSeconds(total);
        return true;
    }
}
