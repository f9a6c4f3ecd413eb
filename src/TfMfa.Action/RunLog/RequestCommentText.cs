using System.Globalization;
using TfMfa.Config;
using TfMfa.Gate;

namespace TfMfa.RunLog;

/// <summary>What the request comment says, in each state. It never holds a secret.</summary>
public sealed record RequestDetails(
    TerraformCommand Command,
    string Environment,
    string SerialNumber,
    string RunUrl,
    long RunId,
    int RunAttempt,
    ApproverPolicy Approvers,
    DateTimeOffset Deadline,
    string RunNoun = "workflow run",
    string MentionPrefix = "@",
    string HidingNote = "The comment is deleted as soon as it is read.");

public static class RequestCommentText
{
    public const string MarkerPrefix = "<!-- tfmfa:request";

    public static string Marker(RequestDetails details) =>
        $"{MarkerPrefix} run={details.RunId.ToString(CultureInfo.InvariantCulture)} attempt={details.RunAttempt.ToString(CultureInfo.InvariantCulture)} " +
        $"environment={Safe(details.Environment)} command={details.Command.Name()} -->";

    public static string Waiting(RequestDetails details, string? lastFailure, int attemptsLeft)
    {
        var failure = lastFailure is null ? "" :
            $"""

            > 🔴 {lastFailure}
            > {attemptsLeft} attempt{(attemptsLeft == 1 ? "" : "s")} left: reply with a new code.

            """;
        return $"""
            {Marker(details)}
            ### 🔒 MFA code needed: `terraform {details.Command.Name()}` in `{details.Environment}`

            This [{details.RunNoun}]({details.RunUrl}) is waiting for a one-time code from the MFA device `{details.SerialNumber}`.
            {failure}
            Reply with a new comment whose first line is

            ```
            /mfa 123456
            ```

            using the 6 digits your authenticator shows now. {WhoMayAnswer(details.Approvers, details.MentionPrefix)} {details.HidingNote} `/mfa cancel` stops the run.

            ⏳ Waiting until **{Time(details.Deadline)}**.
            """;
    }

    public static string Authenticated(RequestDetails details, string login, DateTimeOffset at, DateTimeOffset? expires) =>
        $"""
        {Marker(details)}
        ### 🔓 Authenticated with MFA by {details.MentionPrefix}{login}

        `terraform {details.Command.Name()}` in `{details.Environment}` runs with MFA credentials ([{details.RunNoun}]({details.RunUrl})).
        Authenticated at {Time(at)}{(expires is { } e ? $"; the credentials expire at {Time(e)}" : "")}.
        """;

    public static string Ended(RequestDetails details, TfMfa.Codes.CodeWaitEnd end, string message)
    {
        var (icon, title) = end switch
        {
            TfMfa.Codes.CodeWaitEnd.TimedOut => ("⌛", "No MFA code arrived in time"),
            TfMfa.Codes.CodeWaitEnd.Cancelled => ("⛔", "MFA wait cancelled"),
            _ => ("🔴", "MFA failed"),
        };
        return $"""
            {Marker(details)}
            ### {icon} {title}: `terraform {details.Command.Name()}` in `{details.Environment}` did not run

            {message}

            Re-run the [{details.RunNoun}]({details.RunUrl}) to ask again.
            """;
    }

    public static string Reply(string mention, string text) => $"{mention} {text}";

    private static string WhoMayAnswer(ApproverPolicy approvers, string mentionPrefix)
    {
        var permission = approvers.MinPermission.ToString().ToLowerInvariant();
        return approvers.Users.Count == 0
            ? $"Anyone with **{permission}** permission or more may answer."
            : $"{string.Join(", ", approvers.Users.Select(u => mentionPrefix + u))} may answer (with **{permission}** permission or more).";
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Safe(string text) => text.Replace("--", "-", StringComparison.Ordinal).Replace(">", "", StringComparison.Ordinal).Replace(' ', '_');
}
