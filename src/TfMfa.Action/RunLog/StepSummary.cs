
namespace TfMfa.RunLog;

/// <summary>The markdown the run leaves in the job's step summary. Every value TfMfa did not write goes through <see cref="MarkdownText"/>.</summary>
public static class StepSummary
{
    public static string Authenticated(string login, TerraformCommand command, string environment, DateTimeOffset at, DateTimeOffset? expires, string via,
        string? device = null, Codes.WhatRuns? unlocks = null) =>
        $"""
        ### 🔓 Authenticated with MFA by {MarkdownText.Text(login)}

        | | |
        |---|---|
        | Command | `{command.Name()}` |
        | Environment | {MarkdownText.CodeInCell(environment)} |
        | Authenticated at | {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC |
        | Credentials expire | {(expires is { } e ? $"{e.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "unknown")} |
        | STS call | {via} |
        {(device is null ? "" : $"| MFA device | {MarkdownText.CodeInCell(device)} |\n")}{(unlocks is null ? "" : $"| Commit | {MarkdownText.Link(MarkdownText.CodeInCell(unlocks.ShortSha), unlocks.CommitUrl)} |\n| AWS identity | {unlocks.Identity} |\n| Terraform | {MarkdownText.Text(unlocks.TerraformVersion)} |\n")}{(unlocks?.Plan is { } plan ? $"| Plan | `{plan.Sha256}`: {plan.CountsLine} |\n" : "")}
        """;

    public static string NotRequired(TerraformCommand command, string environment, string level, string levelSetBy) =>
        $"### TfMfa: no MFA needed\n\n`{command.Name()}` in {MarkdownText.Code(environment)}: level `{level}` (set by {MarkdownText.Text(levelSetBy)}).\n";

    public static string Failed(TerraformCommand command, string environment, string reason) =>
        $"### 🔴 TfMfa: {command.Name()} in {MarkdownText.Code(environment)} did not run\n\n{MarkdownText.Text(reason)}\n";

    /// <summary>An apply whose plan changes nothing: no code (or no second code) was asked for.</summary>
    public static string NothingToApply(string environment, string planSha256, bool askedForACode) =>
        $"### TfMfa: nothing to apply\n\nThe plan for {MarkdownText.Code(environment)} has no changes (SHA-256 `{planSha256}`), so {(askedForACode ? "no second code was asked for" : "no code was asked for")}.\n";

    public static string TerraformFinished(IReadOnlyList<string> arguments, int exitCode) =>
        $"terraform {arguments[0]} exited with {exitCode}.\n";
}
