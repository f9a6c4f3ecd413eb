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
    RequestWording Wording,
    TfMfa.Codes.WhatRuns? Unlocks = null,
    string? RequestId = null,
    Trigger.TriggerFacts? Trigger = null)
{
    public string RunNoun => Wording.RunNoun;
    public string MentionPrefix => Wording.MentionPrefix;
    public string HidingNote => Wording.HidingNote;
}

/// <summary>The platform's own words in a request: each front end states its conventions.</summary>
/// <param name="RunNoun">What the platform calls a run ("workflow run", "pipeline run").</param>
/// <param name="MentionPrefix">What goes before a name to address its owner ("@" on GitHub; nothing on Azure DevOps).</param>
/// <param name="HidingNote">What happens to a comment with a code once it is read.</param>
public sealed record RequestWording(string RunNoun, string MentionPrefix, string HidingNote);

public static class RequestCommentText
{
    /// <summary>The request's short id (see <see cref="Codes.RequestIds"/>), drawn when it is first posted and kept through every edit.</summary>
    public static string IdOf(RequestDetails details) =>
        details.RequestId ?? throw new InvalidOperationException("A request's text is written only once its id is drawn.");

    public const string MarkerPrefix = "<!-- tfmfa:request";

    public static string Marker(RequestDetails details) =>
        $"{MarkerPrefix} run={details.RunId.ToString(CultureInfo.InvariantCulture)} attempt={details.RunAttempt.ToString(CultureInfo.InvariantCulture)} " +
        $"environment={Safe(details.Environment)} command={details.Command.Name()} deadline={details.Deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} -->\n" +
        $"{IdMarkerPrefix}{IdOf(details)} -->" +
        (details.Trigger is { } trigger ? "\n" + trigger.Marker() : "");

    private const string IdMarkerPrefix = "<!-- tfmfa:id ";

    /// <summary>The id in a request's marker, or null when the text is no TfMfa request.</summary>
    public static string? IdInMarker(string text)
    {
        if (!text.Contains(MarkerPrefix, StringComparison.Ordinal)) return null;
        var start = text.IndexOf(IdMarkerPrefix, StringComparison.Ordinal);
        return start < 0 ? null : text[(start + IdMarkerPrefix.Length)..].Split(' ', '\n')[0].Trim();
    }

    /// <summary>Whether a request's current text still waits for a code.</summary>
    public static bool IsWaiting(string text) => text.Contains(MarkerPrefix, StringComparison.Ordinal) && text.Contains("### 🔒 MFA code needed", StringComparison.Ordinal);

    /// <summary>GitHub's limit on a comment's body; Azure DevOps allows more.</summary>
    public const int MaxLength = 65_536;

    private const string PlanPlaceholder = "\u0000plan\u0000";

    public static string Waiting(RequestDetails details, string? lastFailure, int attemptsLeft)
    {
        var text = WaitingWithPlaceholder(details, lastFailure, attemptsLeft);
        if (details.Unlocks?.Plan is not { } plan) return text.Replace(PlanPlaceholder, "", StringComparison.Ordinal);
        // The plan gets what the rest leaves of the limit (with room to spare for the platform's own counting).
        var budget = MaxLength - (text.Length - PlanPlaceholder.Length) - 256;
        return text.Replace(PlanPlaceholder, "\n#### The plan this code applies\n\n" + plan.Markdown(budget, byChanges: details.Trigger is not null), StringComparison.Ordinal);
    }

    private static string WaitingWithPlaceholder(RequestDetails details, string? lastFailure, int attemptsLeft)
    {
        // A comment-trigger request keeps its last failure in its marker, in fixed words, so the run that answers can write it again.
        if (details.Trigger is { } trigger)
            (lastFailure, attemptsLeft) = trigger.LastFailure is { } failed ? (failed.Sentence(login => details.MentionPrefix + login), failed.AttemptsLeft) : (null, 0);
        var failure = lastFailure is null ? "" :
            $"""

            > 🔴 {MarkdownText.Text(lastFailure)}
            > {attemptsLeft} attempt{(attemptsLeft == 1 ? "" : "s")} left: reply with a new code.

            """;
        return $"""
            {Marker(details)}
            ### 🔒 MFA code needed: `terraform {details.Command.Name()}` in {MarkdownText.Code(details.Environment)} (request `{IdOf(details)}`)

            {(details.Trigger is null ? $"This {RunLink(details)} is waiting for a one-time code from {Device(details)}." : $"The {RunLink(details)} asked for a one-time code from {Device(details)} and ended: nothing runs while you decide. A `/mfa` reply starts the run that answers this request.")}{StageNote(details)}
            {Unlocks(details)}{PlanPlaceholder}{failure}
            Reply with a new comment whose first line is

            ```
            /mfa 123456
            ```

            using the 6 digits your authenticator shows now. While other TfMfa requests are open here, name this one: `/mfa {IdOf(details)} 123456`. {WhoMayAnswer(details.Approvers, details.MentionPrefix)} {details.HidingNote} `/mfa cancel` {(details.Trigger is null ? "stops the run" : "closes this request")}.

            ⏳ {(details.Trigger is null ? "Waiting" : "Open")} until **{Time(details.Deadline)}**{(details.Trigger is null ? "" : ", or until the pull request gets a new commit (the next plan run then asks again)")}.
            """;
    }

    public static string Authenticated(RequestDetails details, string login, DateTimeOffset at, DateTimeOffset? expires, string? device = null) =>
        $"""
        {Marker(details)}
        ### 🔓 Authenticated with MFA by {details.MentionPrefix}{MarkdownText.Text(login)}

        `terraform {details.Command.Name()}` in {MarkdownText.Code(details.Environment)} runs with MFA credentials ({RunLink(details)}).
        Authenticated at {Time(at)}{(expires is { } e ? $"; the credentials expire at {Time(e)}" : "")}.{(device is null ? "" : $" The code came from the MFA device {MarkdownText.Code(device)}.")}
        {Unlocks(details)}{(details.Unlocks?.Plan is { } plan ? $"The code applies the plan with SHA-256 `{plan.Sha256}`: {plan.CountsLine}\n" : "")}{(details.Unlocks?.Stage == Codes.CodeStage.PlanOfApply ? "The plan runs now; a new request will show it, and a second code applies exactly that plan.\n" : "")}
        """;

    /// <summary>Under plans-and-applies an apply asks twice; each request says which code it wants.</summary>
    private static string StageNote(RequestDetails details) => details.Unlocks?.Stage switch
    {
        Codes.CodeStage.PlanOfApply =>
            $"\n\n**First of two codes for `terraform apply` in {MarkdownText.Code(details.Environment)}** (plans-and-applies): this code runs the plan only. " +
            "Once the plan has run, a new request shows it, and a second, newer code applies exactly that plan.",
        Codes.CodeStage.ApplyOfPlan =>
            "\n\n**Second of two codes** (plans-and-applies): the first code ran the plan below; this one applies exactly that plan. " +
            "Use a newer code than the first: AWS accepts each code once.",
        _ => "",
    };

    private static string Device(RequestDetails details) =>
        details.Unlocks?.Device ?? $"the MFA device {MarkdownText.Code(details.SerialNumber)}";

    /// <summary>What the code unlocks, as a table a person reads before typing it.</summary>
    private static string Unlocks(RequestDetails details)
    {
        if (details.Unlocks is not { } what) return "";
        var commit = MarkdownText.Link(MarkdownText.CodeInCell(what.ShortSha), what.CommitUrl);
        return $"""

            | The code unlocks | |
            |---|---|
            | Command | `terraform {details.Command.Name()}` in {MarkdownText.CodeInCell(details.Environment)} |
            | Working directory | {MarkdownText.CodeInCell(what.WorkingDirectory)} |
            | Commit | {commit} |
            | AWS identity | {what.Identity} |
            | Session | {Config.Duration.Format(what.SessionDuration)} |
            | Terraform | {MarkdownText.Text(what.TerraformVersion)} |
            {(what.PlanCanDoMore ? $"\n⚠️ No read-only `plan-role-to-assume` is set: this code's session can do everything {what.Identity} may, though TfMfa runs only a plan with it.\n" : "")}
            """;
    }

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
            ### {icon} {title}: `terraform {details.Command.Name()}` in {MarkdownText.Code(details.Environment)} did not run

            {MarkdownText.Text(message)}

            Re-run the {RunLink(details)} to ask again.
            """;
    }

    public static string Reply(string mention, string text) => $"{mention} {text}";

    private static string WhoMayAnswer(ApproverPolicy approvers, string mentionPrefix)
    {
        var permission = approvers.MinPermission.ToString().ToLowerInvariant();
        var who = approvers.Users.Select(u => mentionPrefix + MarkdownText.Text(u)).Concat(approvers.AllowedTeams.Select(t => $"members of {MarkdownText.Code(t)}")).ToList();
        return who.Count == 0
            ? $"Anyone with **{permission}** permission or more may answer."
            : $"{string.Join(", ", who)} may answer (with **{permission}** permission or more).";
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A value inside the marker's HTML comment: letters, digits and <c>. _ -</c> only, so it cannot end the comment or break the line.</summary>
    public static string MarkerValue(string text) => Safe(text);

    private static string Safe(string text) =>
        System.Text.RegularExpressions.Regex.Replace(string.Concat(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_')), "-{2,}", "-");

    private static string RunLink(RequestDetails details) => MarkdownText.Link(details.RunNoun, details.RunUrl);
}
