namespace TfMfa;

/// <summary>What the user asks terraform to do; the MFA level decides whether it needs a code.</summary>
public enum TerraformCommand { Plan, Apply }

public static class TerraformCommandNames
{
    public static string Name(this TerraformCommand command) => command == TerraformCommand.Plan ? "plan" : "apply";

    public static bool TryParse(string? text, out TerraformCommand command)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "plan": command = TerraformCommand.Plan; return true;
            case "apply": command = TerraformCommand.Apply; return true;
            default: command = default; return false;
        }
    }
}
