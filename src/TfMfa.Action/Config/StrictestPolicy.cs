namespace TfMfa.Config;

public enum ConfigCopyKind
{
    /// <summary>The checked-out file at the <c>config</c> input's path: the pull request can change it.</summary>
    Workspace,
    /// <summary><c>.github/tfmfa.yml</c> on the default branch.</summary>
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
    bool AllowForkPrs);

/// <summary>
/// The stricter-of-copies rule: every copy that exists counts and the strictest level wins, so a
/// pull request can raise its level but never lower it. Settings that only loosen the gate
/// (approvers, allow-fork-prs) never come from the workspace copy.
/// </summary>
public static class StrictestPolicy
{
    /// <param name="withoutFile">Defaults and action inputs alone: what applies where no copy exists.</param>
    public static GatePolicy Combine(string environment, IReadOnlyList<ConfigCopy> copies, MfaPolicy withoutFile)
    {
        var present = copies.Where(c => c.Policy is not null).ToList();

        var (level, levelSetBy) = (withoutFile.For(environment).Level, "default (no config file)");
        if (present.Count > 0)
        {
            var strictest = present.MaxBy(c => c.Policy!.For(environment).Level)!;
            (level, levelSetBy) = (strictest.Policy!.For(environment).Level, strictest.DisplayName);
        }

        var loosening = First(present, ConfigCopyKind.DefaultBranch) ?? First(present, ConfigCopyKind.DefaultBranchAtConfigPath) ?? withoutFile;
        var operational = First(present, ConfigCopyKind.Workspace) ?? loosening;

        return new GatePolicy(
            environment,
            level,
            levelSetBy,
            operational.For(environment).RoleToAssume,
            loosening.Approvers,
            operational.Wait,
            loosening.AllowForkPrs);
    }

    private static MfaPolicy? First(List<ConfigCopy> copies, ConfigCopyKind kind) =>
        copies.FirstOrDefault(c => c.Kind == kind)?.Policy;
}
