using TfMfa.Aws;
using TfMfa.Config;
using TfMfa.Codes;
using TfMfa.RunLog;
using TfMfa.Terraform;

namespace TfMfa.Gate.Flows;

/// <summary>
/// <c>apply</c> as Terraform Enterprise did it: plan first and save the plan, show it in the
/// request, wait for the code, then apply exactly that saved plan with the session the code
/// unlocked. Under applies-only the plan runs without a code (with plan-role-to-assume where the
/// config names one, else the keys as given: never the apply's role before a code). Under
/// plans-and-applies a first code unlocks the plan and a second, given once the plan is shown,
/// applies it. An empty plan needs no (further) code and applies nothing. The plan runs without
/// the state lock: it changes nothing, a read-only plan role may not write the lock, and
/// terraform refuses to apply a saved plan whose state has moved on since.
/// </summary>
public static class ApplyWhatWasApproved
{
    public static async Task<int> RunAsync(GateRun run, CancellationToken cancellationToken)
    {
        var (policy, log) = (run.Policy, run.Log);
        // Out of the workspace; the plan holds every value unredacted.
        var written = run.Services.Terraform.NewPlanPath();
        string? planFile = null;
        try
        {
            var authentication = new Authentication(run); // one channel for both codes: an approval's code is used once
            var twoCodes = policy.Level.RequiresMfa(TerraformCommand.Plan);
            AwsCredentials? planCredentials;
            if (twoCodes)
            {
                log.Info("plans-and-applies: a first code unlocks the plan; the plan is then shown, and a second code applies exactly that saved plan.");
                planCredentials = await authentication.UnlockAsync(policy.For(TerraformCommand.Plan), TerraformCommand.Plan, cancellationToken, stage: CodeStage.PlanOfApply);
            }
            else
            {
                var planPolicy = policy.PlanRoleToAssume is null ? policy with { RoleToAssume = null } : policy.For(TerraformCommand.Plan);
                log.Info($"applies-only: terraform plans first without a code ({(planPolicy.RoleToAssume is { } role ? $"as {role}" : "with the keys as given")}, no state lock); the code then applies exactly that saved plan.");
                planCredentials = await run.WithoutMfaAsync(planPolicy, cancellationToken);
            }

            var exitCode = await run.Terraform.RunAsync(planCredentials, TerraformCommandLine.PlanToShow(run.Inputs.Init, written, run.Inputs.TerraformArgs), cancellationToken);
            if (exitCode != 0) return exitCode;
            // From here on nothing terraform starts can change the plan that is shown and applied.
            planFile = run.Services.Terraform.Seal(written);

            var plan = await run.Terraform.ShowAsync(planFile, planCredentials, cancellationToken);
            run.Outputs.PlanSha256 = plan.Sha256;
            log.Info($"{plan.CountsLine} Plan file SHA-256 {plan.Sha256}.");
            if (plan.IsEmpty)
            {
                log.Notice($"The plan has no changes: nothing to apply, so {(twoCodes ? "no second code is needed" : "no code is needed")} and nothing was applied.");
                log.AppendSummary(StepSummary.NothingToApply(policy.Environment, plan.Sha256, askedForACode: twoCodes));
                return 0;
            }

            if (twoCodes) run.Outputs.ForgetAuthentication(); // the outputs name the code that applies, or none if it never comes
            var credentials = await authentication.UnlockAsync(policy, TerraformCommand.Apply, cancellationToken, plan,
                twoCodes ? CodeStage.ApplyOfPlan : CodeStage.Only);
            return await ShownPlan.ApplyAsync(run, credentials, planFile, plan, cancellationToken);
        }
        finally
        {
            PlanFiles.Delete(written);
            PlanFiles.Delete(planFile);
        }
    }
}
