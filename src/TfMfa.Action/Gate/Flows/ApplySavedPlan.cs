using TfMfa.Inputs;
using TfMfa.Terraform;

namespace TfMfa.Gate.Flows;

/// <summary>
/// <c>apply</c> of a saved plan from an earlier job (plan-file, with plan-sha256): the request shows
/// that plan (read with <c>terraform show -json</c>) and its SHA-256, and the file applied is the file shown.
/// </summary>
public static class ApplySavedPlan
{
    /// <summary>A plan-file that is missing, or is not the plan the plan job saved (plan-sha256), is refused before anyone is asked for a code.</summary>
    public static void Check(ActionInputs inputs, string planFile)
    {
        var path = Path.Combine(inputs.WorkingDirectory, planFile);
        if (!File.Exists(path))
            throw new TfMfaException($"input 'plan-file': {planFile} does not exist in {inputs.WorkingDirectory}; download the plan job's artifact there first");
        if (inputs.PlanSha256 is { } expected && PlanFiles.Sha256Of(path) is var actual && actual != expected)
            throw new TfMfaException($"input 'plan-file': {planFile} has SHA-256 {actual}, but input 'plan-sha256' demands {expected} (the plan job's plan-sha256 output): " +
                "this is not the plan that was reviewed, so nobody is asked for a code. Apply the artifact of the plan job whose output you passed.");
    }

    public static async Task<int> RunAsync(GateRun run, string planFile, CancellationToken cancellationToken)
    {
        var inputs = run.Inputs;
        // Sealed before terraform first runs with the commit's code: the file shown and applied is the file checked.
        var path = run.Services.Terraform.Seal(Path.Combine(inputs.WorkingDirectory, planFile));
        try
        {
            if (inputs.PlanSha256 is { } expected && PlanFiles.Sha256Of(path) != expected)
                throw new TfMfaException($"input 'plan-file': {planFile} changed while it was sealed, so nobody is asked for a code. Run the job again.");
            if (inputs.Init)
            {
                // terraform show needs the providers; init reads the backend with the keys as given.
                var exitCode = await run.Terraform.RunAsync(null, TerraformCommandLine.Init, cancellationToken);
                if (exitCode != 0) return exitCode;
            }
            var plan = await run.Terraform.ShowAsync(path, null, cancellationToken);
            run.Outputs.PlanSha256 = plan.Sha256;
            run.Log.Info($"The saved plan {planFile}: {plan.CountsLine} SHA-256 {plan.Sha256}{(inputs.PlanSha256 is null ? "" : " (as input 'plan-sha256' demands)")}.");
            var credentials = await new Authentication(run).UnlockAsync(run.Policy, TerraformCommand.Apply, cancellationToken, plan);
            return await ShownPlan.ApplyAsync(run, credentials, path, plan, cancellationToken);
        }
        finally
        {
            PlanFiles.Delete(path);
        }
    }
}
