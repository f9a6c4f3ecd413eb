using TfMfa.Aws;
using TfMfa.Config;
using TfMfa.RunLog;
using TfMfa.Terraform;

namespace TfMfa.Gate.Flows;

/// <summary>
/// A plan (with a code where the level asks for one), or an apply that needs no code: the session,
/// then terraform as the contract spells the command line.
/// </summary>
public static class PlainRun
{
    public static async Task<int> RunAsync(GateRun run, bool mfaRequired, CancellationToken cancellationToken)
    {
        var inputs = run.Inputs;
        AwsCredentials? credentials;
        if (mfaRequired)
        {
            credentials = await new Authentication(run).UnlockAsync(run.Policy, inputs.Command, cancellationToken);
        }
        else
        {
            credentials = await run.WithoutMfaAsync(run.Policy, cancellationToken);
            run.Log.AppendSummary(StepSummary.NotRequired(inputs.Command, run.Policy.Environment, run.Policy.Level.Name(), run.Policy.LevelSetBy));
        }

        var exitCode = await run.Terraform.RunAsync(credentials, TerraformCommandLine.For(inputs.Command, inputs.Init, inputs.PlanFile, inputs.TerraformArgs), cancellationToken);
        if (exitCode == 0 && inputs.Command == TerraformCommand.Plan && inputs.PlanFile is { } saved)
            run.Outputs.PlanSha256 = PlanFiles.Sha256Of(Path.Combine(inputs.WorkingDirectory, saved));
        return exitCode;
    }
}
