namespace TfMfa.Codes;

/// <summary>
/// What a code unlocks, shown to whoever is asked for it: the command and environment, the working
/// directory, the commit, the AWS identity and for how long, the terraform version, the device.
/// </summary>
/// <param name="Role">The role the session assumes, or null for the CI user's own MFA session.</param>
/// <param name="Device">Which MFA device the code must come from, in words.</param>
/// <param name="PlanCanDoMore">The code runs a plan, but no read-only plan-role-to-assume narrows its session: it could do everything <paramref name="Role"/> (or the CI user) may.</param>
public sealed record WhatRuns(
    string WorkingDirectory,
    string? CommitSha,
    string? CommitUrl,
    string? Role,
    TimeSpan SessionDuration,
    string TerraformVersion,
    string Device,
    Terraform.PlanSummary? Plan = null,
    CodeStage Stage = CodeStage.Only,
    bool PlanCanDoMore = false)
{
    public string ShortSha => CommitSha is { Length: > 7 } sha ? sha[..7] : CommitSha ?? "unknown";

    /// <summary>Markdown: the role as a code span (fit for a table cell too).</summary>
    public string Identity => Role is { } role ? $"the role {RunLog.MarkdownText.CodeInCell(role)}" : "the CI user's own MFA session";

    /// <summary>One line for the run log.</summary>
    public string Describe(TerraformCommand command, string environment) =>
        $"terraform {command.Name()} in '{environment}' from {WorkingDirectory} at commit {ShortSha}, as {Identity.Replace("`", "", StringComparison.Ordinal)} " +
        $"for {Config.Duration.Format(SessionDuration)}, terraform {TerraformVersion}; the code comes from {Device.Replace("`", "", StringComparison.Ordinal)}" +
        Stage switch
        {
            CodeStage.PlanOfApply => " (the first of two codes for this apply: the plan runs, and a second code applies exactly the plan shown)",
            CodeStage.ApplyOfPlan => " (the second of two codes for this apply: it applies exactly the plan the first one made)",
            _ => "",
        };
}

/// <summary>
/// Which code of its run a request is for. A run needs one code, except an <c>apply</c> under
/// plans-and-applies, which needs two, as Terraform Enterprise asked: the first unlocks the plan,
/// the second, given once the plan is shown, applies exactly that plan.
/// </summary>
public enum CodeStage { Only, PlanOfApply, ApplyOfPlan }
