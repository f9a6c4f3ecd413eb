using TfMfa.Gate;

namespace TfMfa.RunLog;

/// <summary>The markdown the run leaves in the job's step summary.</summary>
public static class StepSummary
{
    public static string Authenticated(string login, TerraformCommand command, string environment, DateTimeOffset at, DateTimeOffset? expires, string via,
        string? device = null, Codes.WhatRuns? unlocks = null) =>
        $"""
        ### 🔓 Authenticated with MFA by {login}

        | | |
        |---|---|
        | Command | `{command.Name()}` |
        | Environment | `{environment}` |
        | Authenticated at | {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC |
        | Credentials expire | {(expires is { } e ? $"{e.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "unknown")} |
        | STS call | {via} |
        {(device is null ? "" : $"| MFA device | `{device}` |\n")}{(unlocks is null ? "" : $"| Commit | {(unlocks.CommitUrl is { } url ? $"[`{unlocks.ShortSha}`]({url})" : $"`{unlocks.ShortSha}`")} |\n| AWS identity | {unlocks.Identity} |\n| Terraform | {unlocks.TerraformVersion} |\n")}{(unlocks?.Plan is { } plan ? $"| Plan | `{plan.Sha256}`: {plan.CountsLine} |\n" : "")}
        """;

    public static string NotRequired(TerraformCommand command, string environment, string level, string levelSetBy) =>
        $"### TfMfa: no MFA needed\n\n`{command.Name()}` in `{environment}`: level `{level}` (set by {levelSetBy}).\n";

    public static string Failed(TerraformCommand command, string environment, string reason) =>
        $"### 🔴 TfMfa: {command.Name()} in `{environment}` did not run\n\n{reason}\n";

    public static string TerraformFinished(IReadOnlyList<string> arguments, int exitCode) =>
        $"terraform {arguments[0]} exited with {exitCode}.\n";
}
