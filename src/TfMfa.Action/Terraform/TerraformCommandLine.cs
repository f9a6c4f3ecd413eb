
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

    /// <summary>The plan an apply shows before its code: saved to <paramref name="planPath"/>, without the state lock (it changes nothing, and a read-only plan role may not write the lock).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> PlanToShow(bool init, string planPath, IReadOnlyList<string> extraArgs)
    {
        var commands = new List<IReadOnlyList<string>>();
        if (init) commands.Add(["init", "-input=false"]);
        commands.Add(["plan", "-input=false", "-lock=false", $"-out={planPath}", .. extraArgs]);
        return commands;
    }

    /// <summary><c>init</c> alone: <c>terraform show</c> of a saved plan needs the providers.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Init => [["init", "-input=false"]];

    /// <summary>The apply of exactly the saved plan that was shown.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> ApplySaved(string planFile) => [["apply", "-input=false", planFile]];
}
