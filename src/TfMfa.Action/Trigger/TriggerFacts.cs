using System.Text;
using System.Text.RegularExpressions;
using TfMfa.Aws;
using TfMfa.Codes;

namespace TfMfa.Trigger;

/// <summary>A refused code, as a comment-trigger request keeps it: who, and what kind of refusal, in fixed words (no free text a forger could fill).</summary>
public sealed record TriggerFailure(string Login, StsFailureKind Kind, int AttemptsLeft)
{
    public string Sentence(Func<string, string> mention) => $"The code from {mention(Login)} was not accepted: {Words(Kind)}";

    private static string Words(StsFailureKind kind) => kind switch
    {
        StsFailureKind.WrongCode => "AWS refused it (a wrong code, or one already used: AWS accepts each code once)",
        StsFailureKind.Throttled or StsFailureKind.ServiceError or StsFailureKind.Network => "AWS did not answer, and a code is never sent twice",
        _ => $"AWS refused it ({kind})",
    };
}

/// <summary>
/// What a comment-trigger request must stay true to, in its durable marker: the answering run is
/// another process, later, and holds nothing of the run that asked. It checks every one of these
/// against what it will run, and the request's whole text against what TfMfa would write for that.
/// </summary>
/// <param name="Directory">The working directory as the request shows it.</param>
/// <param name="ChangesSha256">The shown plan's <see cref="Terraform.PlanSummary.ChangesSha256"/>, or null when the request shows no plan.</param>
public sealed partial record TriggerFacts(string CommitSha, string Directory, CodeStage Stage, string? ChangesSha256, TriggerFailure? LastFailure = null)
{
    public const string MarkerPrefix = "<!-- tfmfa:trigger ";

    [GeneratedRegex(@"^[0-9a-f]{6,64}$")]
    private static partial Regex Sha();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(\[bot\])?$")]
    private static partial Regex Login();

    public string Marker() =>
        $"{MarkerPrefix}commit={CommitSha} directory={Encode(Directory)} stage={Stage} changes={ChangesSha256 ?? "-"}" +
        (LastFailure is { } failed ? $" failed={failed.Login},{failed.Kind},{failed.AttemptsLeft}" : "") + " -->";

    /// <summary>The facts in a request's text, or null when it has none or they do not parse (a tampered marker).</summary>
    public static TriggerFacts? Parse(string text)
    {
        var start = text.IndexOf(MarkerPrefix, StringComparison.Ordinal);
        if (start < 0) return null;
        var end = text.IndexOf("-->", start, StringComparison.Ordinal);
        if (end < 0) return null;
        var fields = text[(start + MarkerPrefix.Length)..end].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).Where(f => f.Length == 2).GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1]);
        if (!fields.TryGetValue("commit", out var commit) || !Sha().IsMatch(commit)) return null;
        if (!fields.TryGetValue("directory", out var directory) || Decode(directory) is not { } workingDirectory) return null;
        if (!fields.TryGetValue("stage", out var stageText) || !Enum.TryParse<CodeStage>(stageText, out var stage) || !Enum.IsDefined(stage)) return null;
        if (!fields.TryGetValue("changes", out var changes) || (changes != "-" && !Sha().IsMatch(changes))) return null;
        TriggerFailure? failure = null;
        if (fields.TryGetValue("failed", out var failed))
        {
            var parts = failed.Split(',');
            if (parts.Length != 3 || !Login().IsMatch(parts[0]) || !Enum.TryParse<StsFailureKind>(parts[1], out var kind) || !Enum.IsDefined(kind)
                || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var left))
                return null;
            failure = new TriggerFailure(parts[0], kind, left);
        }
        return new TriggerFacts(commit, workingDirectory, stage, changes == "-" ? null : changes, failure);
    }

    private static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string text)
    {
        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException) { return null; }
    }
}
