
namespace TfMfa.Config;

/// <summary>The legacy Terraform Enterprise levels, ordered from loosest to strictest.</summary>
public enum MfaLevel { Never = 0, AppliesOnly = 1, PlansAndApplies = 2 }

public static class MfaLevels
{
    public const string Expected = "never, applies-only, plans-and-applies";

    public static string Name(this MfaLevel level) => level switch
    {
        MfaLevel.Never => "never",
        MfaLevel.AppliesOnly => "applies-only",
        _ => "plans-and-applies",
    };

    /// <summary>Accepts the contract's spellings and the legacy ones (<c>applies only</c>), any case.</summary>
    public static bool TryParse(string? text, out MfaLevel level)
    {
        var normalized = string.Join('-', (text ?? "").Trim().ToLowerInvariant()
            .Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries));
        switch (normalized)
        {
            case "never": level = MfaLevel.Never; return true;
            case "applies-only": level = MfaLevel.AppliesOnly; return true;
            case "plans-and-applies": level = MfaLevel.PlansAndApplies; return true;
            default: level = default; return false;
        }
    }

    /// <summary>The level decision: plans-and-applies gates both, applies-only gates apply, never gates nothing.</summary>
    public static bool RequiresMfa(this MfaLevel level, TerraformCommand command) => level switch
    {
        MfaLevel.PlansAndApplies => true,
        MfaLevel.AppliesOnly => command == TerraformCommand.Apply,
        _ => false,
    };

    public static MfaLevel Stricter(MfaLevel a, MfaLevel b) => a >= b ? a : b;
}
