using System.Globalization;
using System.Text.RegularExpressions;
using TfMfa.RunLog;

namespace TfMfa.Conversation;

/// <summary>
/// What a request's hidden marker says about it (see <see cref="RequestCommentText.Marker"/>): its id,
/// the run that posted it and until when it waits. Requests posted before deadlines were recorded
/// have none.
/// </summary>
/// <param name="Environment">The environment as the marker spells it (<see cref="RequestCommentText.MarkerValue"/>).</param>
/// <param name="Command">What the code unlocks (<c>plan</c>, <c>apply</c>).</param>
public sealed partial record RequestMarker(string Id, long? RunId, DateTimeOffset? Deadline, string? Environment = null, string? Command = null, int? RunAttempt = null)
{
    [GeneratedRegex(@"<!-- tfmfa:request (?<fields>[^>]*)-->")]
    private static partial Regex RequestLine();

    /// <summary>The marker in <paramref name="text"/>, or null when the text is no TfMfa request.</summary>
    public static RequestMarker? Parse(string text)
    {
        if (RequestCommentText.IdInMarker(text) is not { Length: > 0 } id) return null;
        var line = RequestLine().Match(text);
        var fields = line.Success
            ? line.Groups["fields"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).Where(f => f.Length == 2).GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[1])
            : [];
        long? run = fields.TryGetValue("run", out var r) && long.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out var runId) ? runId : null;
        DateTimeOffset? deadline = fields.TryGetValue("deadline", out var d)
            && DateTimeOffset.TryParseExact(d, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until) ? until : null;
        int? attempt = fields.TryGetValue("attempt", out var a) && int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        return new RequestMarker(id, run, deadline, fields.GetValueOrDefault("environment"), fields.GetValueOrDefault("command"), attempt);
    }
}
