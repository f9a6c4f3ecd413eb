
namespace TfMfa.Terraform;

/// <summary>The terraform commands a run executes, in order, as the contract spells them.</summary>
public static class TerraformCommandLine
{
    public static IReadOnlyList<IReadOnlyList<string>> For(TerraformCommand command, bool init, string? planFile, IReadOnlyList<string> extraArgs)
    {
        var commands = new List<IReadOnlyList<string>>();
        if (init) commands.Add(["init", "-input=false"]);

        if (command == TerraformCommand.Plan)
        {
            List<string> plan = ["plan", "-input=false"];
            if (planFile is not null) plan.Add($"-out={planFile}");
            plan.AddRange(extraArgs);
            commands.Add(plan);
        }
        else
        {
            List<string> apply = ["apply", "-input=false", "-auto-approve"];
            apply.AddRange(extraArgs);
            if (planFile is not null) apply.Add(planFile);
            commands.Add(apply);
        }
        return commands;
    }
}
