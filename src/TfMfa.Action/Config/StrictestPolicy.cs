namespace TfMfa.Config;

public enum ConfigCopyKind
{
    /// <summary>The checked-out file at the <c>config</c> input's path: the pull request can change it.</summary>
    Workspace,
    /// <summary>The front end's own config path on the default branch (<c>.github/tfmfa.yml</c>, <c>.azuredevops/tfmfa.yml</c>).</summary>
    DefaultBranch,
    /// <summary>The default branch's file at the <c>config</c> input's path, when that path is not the usual one.</summary>
    DefaultBranchAtConfigPath,
}

/// <param name="Policy">The copy's validated policy, or null when the copy does not exist.</param>
public sealed record ConfigCopy(ConfigCopyKind Kind, string DisplayName, MfaPolicy? Policy);

/// <summary>What this run obeys, for one environment, after every copy of the config was weighed.</summary>
public sealed record GatePolicy(
    string Environment,
    MfaLevel Level,
    string LevelSetBy,
    string? RoleToAssume,
    ApproverPolicy Approvers,
    WaitPolicy Wait,
    bool AllowForkPrs,
    string? PlanRoleToAssume = null)
{
    /// <summary>What a command runs as: plans assume plan-role-to-assume where the environment names one, applies role-to-assume.</summary>
    public GatePolicy For(TerraformCommand command) =>
        command == TerraformCommand.Plan && PlanRoleToAssume is { } planRole ? this with { RoleToAssume = planRole } : this;
}

/// <summary>What the workflow itself asked for through inputs; a pull request controls these too.</summary>
/// <param name="WaitMode">The wait-mode input: the workflow says which mode it was written for; the trusted config decides.</param>
public sealed record WorkflowChoices(string? RoleToAssume, TimeSpan? Timeout, WaitMode? WaitMode = null)
{
    public static readonly WorkflowChoices None = new(null, null);
}

/// <summary>
/// The stricter-of-copies rule. Every copy that exists counts for the level and the strictest wins,
/// so a pull request can raise its level but never lower it. Everything else loosens the gate or
/// chooses what a code unlocks (role-to-assume, wait, approvers, allow-fork-prs), so it comes from
/// the trusted copy only: the default branch's copy at the front end's own path
/// (<see cref="ConfigCopyKind.DefaultBranch"/>), else its copy at the
/// <c>config</c> path; never from the workspace copy a pull request can edit. Only where no default
/// branch exists at all (a laptop) is the workspace copy the trusted one.
/// </summary>
public static class StrictestPolicy
{
    /// <param name="withoutFile">Defaults and action inputs alone: what applies where no trusted copy exists.</param>
    /// <param name="workspaceIsTrusted">No default branch can be consulted: the workspace copy is the operator's own.</param>
    public static GatePolicy Combine(string environment, IReadOnlyList<ConfigCopy> copies, MfaPolicy withoutFile,
        WorkflowChoices? choices = null, bool workspaceIsTrusted = false)
    {
        choices ??= WorkflowChoices.None;
        var present = copies.Where(c => c.Policy is not null).ToList();

        var (level, levelSetBy) = (withoutFile.For(environment).Level, "default (no config file)");
        if (present.Count > 0)
        {
            var strictest = present.MaxBy(c => c.Policy!.For(environment).Level)!;
            (level, levelSetBy) = (strictest.Policy!.For(environment).Level, strictest.DisplayName);
        }

        var trusted = present.FirstOrDefault(c => c.Kind == ConfigCopyKind.DefaultBranch)
                      ?? present.FirstOrDefault(c => c.Kind == ConfigCopyKind.DefaultBranchAtConfigPath)
                      ?? (workspaceIsTrusted ? present.FirstOrDefault(c => c.Kind == ConfigCopyKind.Workspace) : null);
        var rules = trusted?.Policy ?? withoutFile;

        return new GatePolicy(
            environment,
            level,
            levelSetBy,
            Role(environment, trusted, choices),
            rules.Approvers,
            Wait(trusted, rules.Wait, choices),
            rules.AllowForkPrs,
            // Like role-to-assume, only the trusted copy chooses what a code unlocks.
            trusted?.Policy!.For(environment).PlanRoleToAssume);
    }

    /// <summary>The trusted copy's role; an input may name a role only where that copy names none, and never another one.</summary>
    private static string? Role(string environment, ConfigCopy? trusted, WorkflowChoices choices)
    {
        var configured = trusted?.Policy!.For(environment).RoleToAssume;
        if (configured is not null && choices.RoleToAssume is { } asked && !string.Equals(asked, configured, StringComparison.Ordinal))
            throw new ConfigException([
                $"input 'role-to-assume' names {asked}, but {trusted!.DisplayName} sets role-to-assume {configured} for environment '{environment}': " +
                "a workflow cannot choose another role than the default branch's config. Remove the input, or change the config on the default branch."]);
        return configured ?? choices.RoleToAssume;
    }

    /// <summary>The trusted copy's wait; the timeout input may shorten it, never lengthen it.</summary>
    private static WaitPolicy Wait(ConfigCopy? trusted, WaitPolicy rules, WorkflowChoices choices)
    {
        if (choices.WaitMode is { } mode && mode != rules.Mode)
        {
            // A workflow written for one mode misbehaves in the other: a requesting job that waits, or an answering run that asks.
            if (trusted is not null)
                throw new ConfigException([
                    $"input 'wait-mode' is {mode.Name()}, but wait.mode in {trusted.DisplayName} is {rules.Mode.Name()}: the default branch's config chooses the mode. " +
                    $"Use the workflows written for {rules.Mode.Name()} (action/workflows/), or change wait.mode on the default branch."]);
            rules = rules with { Mode = mode };
        }
        if (choices.Timeout is not { } asked) return rules;
        if (trusted is not null && asked > rules.Timeout)
            throw new ConfigException([
                $"input 'timeout' ({Duration.Format(asked)}) is longer than wait.timeout ({Duration.Format(rules.Timeout)}) in {trusted.DisplayName}: " +
                "a workflow may only shorten the wait. Raise wait.timeout in the config on the default branch, or shorten the input."]);
        return rules with { Timeout = asked };
    }
}
