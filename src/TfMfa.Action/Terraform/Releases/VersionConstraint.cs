using System.Globalization;
using System.Text.RegularExpressions;

namespace TfMfa.Terraform.Releases;

/// <summary>
/// terraform's version constraint syntax, as in <c>required_version</c>: comma-separated
/// conditions, each <c>=</c>, <c>!=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c> or
/// <c>~&gt;</c> (the rightmost number may grow: <c>~&gt; 1.9</c> is <c>&gt;= 1.9, &lt; 2.0</c>,
/// <c>~&gt; 1.9.3</c> is <c>&gt;= 1.9.3, &lt; 1.10.0</c>). A prerelease matches only when named exactly.
/// </summary>
public sealed partial class VersionConstraint
{
    private readonly IReadOnlyList<Func<ReleaseVersion, bool>> _conditions;
    private readonly IReadOnlyList<ReleaseVersion> _namedExactly;

    private VersionConstraint(string text, IReadOnlyList<Func<ReleaseVersion, bool>> conditions, IReadOnlyList<ReleaseVersion> namedExactly)
    {
        Text = text;
        _conditions = conditions;
        _namedExactly = namedExactly;
    }

    public string Text { get; }

    /// <summary>The one version it names, when it is a plain or <c>=</c> version: no index is needed.</summary>
    public ReleaseVersion? Exact => _conditions.Count == 1 && _namedExactly.Count == 1 ? _namedExactly[0] : null;

    [GeneratedRegex(@"^(?<op>~>|>=|<=|!=|=|>|<)?\s*v?(?<version>\d{1,4}(?:\.\d{1,4}){0,2}(?:-[0-9A-Za-z.-]+)?)$")]
    private static partial Regex Condition();

    public static bool TryParse(string text, out VersionConstraint constraint, out string? error)
    {
        var conditions = new List<Func<ReleaseVersion, bool>>();
        var exact = new List<ReleaseVersion>();
        constraint = new VersionConstraint(text, conditions, exact);
        error = null;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var match = Condition().Match(part);
            if (!match.Success)
            {
                error = $"'{part}' is not a version condition; write a version (1.9.8) or a constraint like ~> 1.9 or >= 1.5, < 2.0";
                return false;
            }
            var op = match.Groups["op"].Value;
            var written = match.Groups["version"].Value;
            var numbers = written.Split('-', 2)[0].Split('.').Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray();
            var pre = written.Contains('-') ? written.Split('-', 2)[1] : "";
            var floor = new ReleaseVersion(numbers[0], numbers.ElementAtOrDefault(1), numbers.ElementAtOrDefault(2), pre);
            switch (op)
            {
                case "" or "=":
                    if (numbers.Length < 3)
                    {
                        error = $"'{part}' names no single version; write all three numbers (1.9.8) or use ~> {written}";
                        return false;
                    }
                    exact.Add(floor);
                    conditions.Add(v => v.CompareTo(floor) == 0);
                    break;
                case "!=": conditions.Add(v => v.CompareTo(floor) != 0); break;
                case ">": conditions.Add(v => v.CompareTo(floor) > 0); break;
                case ">=": conditions.Add(v => v.CompareTo(floor) >= 0); break;
                case "<": conditions.Add(v => v.CompareTo(floor) < 0); break;
                case "<=": conditions.Add(v => v.CompareTo(floor) <= 0); break;
                case "~>":
                    if (numbers.Length < 2)
                    {
                        error = $"'{part}' needs at least two numbers (~> 1.9)";
                        return false;
                    }
                    var ceiling = numbers.Length == 2 ? new ReleaseVersion(numbers[0] + 1, 0, 0, "") : new ReleaseVersion(numbers[0], numbers[1] + 1, 0, "");
                    conditions.Add(v => v.CompareTo(floor) >= 0 && v.CompareTo(ceiling) < 0 && !(v.IsPrerelease && v.Major == ceiling.Major && v.Minor == ceiling.Minor && v.Patch == ceiling.Patch));
                    break;
            }
        }
        return true;
    }

    public bool IsMetBy(ReleaseVersion version) =>
        (!version.IsPrerelease || _namedExactly.Contains(version)) && _conditions.All(c => c(version));

    /// <summary>The newest release that meets the constraint, or null.</summary>
    public ReleaseVersion? Newest(IEnumerable<ReleaseVersion> releases) => releases.Where(IsMetBy).Max();

    public override string ToString() => Text;
}
