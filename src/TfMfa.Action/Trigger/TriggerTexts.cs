using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.RunLog;

namespace TfMfa.Trigger;

/// <summary>
/// A comment-trigger request's text, written by the run that asks and written again, the same way,
/// by the run that answers: the answer counts only where the two are equal.
/// </summary>
public static class TriggerTexts
{
    private const string PlanSectionStart = "\n#### The plan this code applies\n";

    /// <summary>The commit status a request sets: one per environment and command.</summary>
    public static string StatusContext(string environment, TerraformCommand command) => $"tfmfa/{environment}/{command.Name()}";

    public static RequestDetails Details(ICommentTrigger trigger, GatePolicy policy, TerraformCommand command, string serialNumber, long runId, int runAttempt,
        DateTimeOffset deadline, WhatRuns unlocks, string id, TriggerFacts facts) =>
        new(command, policy.Environment, serialNumber, trigger.RunUrl(runId), runId, runAttempt, policy.Approvers, deadline, trigger.Wording, unlocks, id, facts);

    /// <summary>The text without the plan it shows (which only a new plan can write again).</summary>
    public static string WithoutPlan(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
        var start = text.IndexOf(PlanSectionStart, StringComparison.Ordinal);
        if (start < 0) return text;
        var end = new[] { text.IndexOf("\n> 🔴 ", start, StringComparison.Ordinal), text.IndexOf("\nReply with a new comment", start, StringComparison.Ordinal) }
            .Where(i => i > start).DefaultIfEmpty(text.Length).Min();
        return text[..start] + text[end..];
    }

    /// <summary>The plan section of a request's text, or "" when it shows none.</summary>
    public static string PlanSection(string text)
    {
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
        var without = WithoutPlan(text);
        if (without.Length == text.Length) return "";
        var start = text.IndexOf(PlanSectionStart, StringComparison.Ordinal);
        return text.Substring(start, text.Length - without.Length);
    }

    /// <summary>The text with <paramref name="planSection"/> put back where the plan goes.</summary>
    public static string WithPlan(string textWithoutPlan, string planSection)
    {
        if (planSection.Length == 0) return textWithoutPlan;
        var at = new[] { textWithoutPlan.IndexOf("\n> 🔴 ", StringComparison.Ordinal), textWithoutPlan.IndexOf("\nReply with a new comment", StringComparison.Ordinal) }
            .Where(i => i >= 0).DefaultIfEmpty(textWithoutPlan.Length).Min();
        return textWithoutPlan[..at] + planSection + textWithoutPlan[at..];
    }

    /// <summary>Where two texts first differ, for the message that refuses a request: line number and both lines (texts never hold secrets).</summary>
    public static string FirstDifference(string request, string expected)
    {
        var a = request.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd().Split('\n');
        var b = expected.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd().Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "(nothing)";
            var right = i < b.Length ? b[i] : "(nothing)";
            if (left != right)
                return $"line {i + 1} of the request reads \"{Cut(left)}\", where this run would write \"{Cut(right)}\"";
        }
        return "the texts are equal";
    }

    private static string Cut(string line) => line.Length > 160 ? line[..159] + "…" : line;

    public static bool Same(string a, string b) =>
        a.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() == b.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}
