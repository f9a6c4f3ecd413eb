using TfMfa.Aws;
using TfMfa.Terraform;

namespace TfMfa.Gate.Flows;

/// <summary>The last step of both apply flows: the file applied is the file the request showed.</summary>
public static class ShownPlan
{
    /// <summary>Nothing may have swapped the plan while the code was awaited.</summary>
    public static async Task<int> ApplyAsync(GateRun run, AwsCredentials credentials, string planFile, PlanSummary shown, CancellationToken cancellationToken)
    {
        var sha = PlanFiles.Sha256Of(planFile);
        if (sha != shown.Sha256)
            throw new TfMfaException($"The saved plan changed while the code was awaited (SHA-256 {shown.Sha256} shown, {sha} now), so it is not applied. Run the job again.");
        run.Log.Info($"Applying the plan shown in the request (SHA-256 {sha}).");
        return await run.Terraform.RunAsync(credentials, TerraformCommandLine.ApplySaved(planFile), cancellationToken);
    }
}
