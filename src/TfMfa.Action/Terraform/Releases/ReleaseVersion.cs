using System.Globalization;
using System.Text.RegularExpressions;

namespace TfMfa.Terraform.Releases;

/// <summary>A release version as HashiCorp and OpenTofu number them: <c>1.9.8</c>, <c>1.10.0-beta1</c>.</summary>
public sealed partial record ReleaseVersion(int Major, int Minor, int Patch, string Prerelease) : IComparable<ReleaseVersion>
{
    [GeneratedRegex(@"^v?(?<major>\d{1,4})\.(?<minor>\d{1,4})\.(?<patch>\d{1,4})(?:-(?<pre>[0-9A-Za-z.-]{1,40}))?$")]
    private static partial Regex Pattern();

    public bool IsPrerelease => Prerelease.Length > 0;

    public static bool TryParse(string? text, out ReleaseVersion version)
    {
        var match = Pattern().Match(text?.Trim() ?? "");
        version = match.Success
            ? new ReleaseVersion(Int("major"), Int("minor"), Int("patch"), match.Groups["pre"].Value)
            : new ReleaseVersion(0, 0, 0, "");
        return match.Success;

        int Int(string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
    }

    public int CompareTo(ReleaseVersion? other)
    {
        if (other is null) return 1;
        var byNumbers = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (byNumbers != 0) return byNumbers;
        // A prerelease comes before its release.
        if (IsPrerelease != other.IsPrerelease) return IsPrerelease ? -1 : 1;
        return string.CompareOrdinal(Prerelease, other.Prerelease);
    }

    public override string ToString() => IsPrerelease ? $"{Major}.{Minor}.{Patch}-{Prerelease}" : $"{Major}.{Minor}.{Patch}";
}
