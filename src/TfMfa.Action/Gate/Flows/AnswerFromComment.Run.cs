using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.RunLog;
using TfMfa.Terraform;
using TfMfa.Trigger;

namespace TfMfa.Gate.Flows;

public static partial class AnswerFromComment
{
    /// <summary>A plan's code: the request says 🔓, and the plan runs with the session.</summary>
    private static async Task<int> PlanAsync(GateRun run, ICommentTrigger trigger, Answering a, Unlocking unlocking, GatePolicy codePolicy,
        AwsCredentials credentials, SuppliedCode accepted, string context, CancellationToken cancellationToken)
    {
        await AuthenticatedAsync(run, trigger, a, unlocking, codePolicy, TerraformCommand.Plan, null, credentials, accepted, cancellationToken);
        var inputs = run.Inputs;
        var exitCode = await run.Terraform.RunAsync(credentials, TerraformCommandLine.For(TerraformCommand.Plan, inputs.Init, inputs.PlanFile, inputs.TerraformArgs), cancellationToken);
        if (exitCode == 0 && inputs.PlanFile is { } saved)
            run.Outputs.PlanSha256 = PlanFiles.Sha256Of(Path.Combine(inputs.WorkingDirectory, saved));
        await FinishedAsync(trigger, a, context, exitCode, "terraform plan", cancellationToken);
        return exitCode;
    }

    /// <summary>
    /// The first code of an apply under plans-and-applies: the plan runs with its session and is
    /// shown in a second request, which asks for the code that applies it. This run then ends too.
    /// </summary>
    private static async Task<int> PlanOfApplyAsync(GateRun run, ICommentTrigger trigger, Answering a, Authentication authentication, Unlocking unlocking, GatePolicy codePolicy,
        AwsCredentials credentials, SuppliedCode accepted, CancellationToken cancellationToken)
    {
        await AuthenticatedAsync(run, trigger, a, unlocking, codePolicy, TerraformCommand.Plan, null, credentials, accepted, cancellationToken);
        var (exitCode, plan) = await PlanAsync(run, credentials, cancellationToken);
        if (plan is null)
        {
            await FinishedAsync(trigger, a, TriggerTexts.StatusContext(run.Policy.Environment, run.Inputs.Command), exitCode, "terraform plan", cancellationToken);
            return exitCode;
        }
        PlanFiles.Delete(plan.Value.File);
        if (plan.Value.Summary.IsEmpty)
        {
            run.Log.Notice("The plan has no changes: nothing to apply, so no second code is needed and nothing was applied.");
            run.Log.AppendSummary(StepSummary.NothingToApply(run.Policy.Environment, plan.Value.Summary.Sha256, askedForACode: true));
            await FinishedAsync(trigger, a, TriggerTexts.StatusContext(run.Policy.Environment, run.Inputs.Command), 0, "the plan (no changes)", cancellationToken);
            return 0;
        }
        run.Outputs.ForgetAuthentication(); // the outputs name the code that applies, or none while it has not come
        var second = await authentication.PrepareAsync(run.Policy, TerraformCommand.Apply, cancellationToken, plan.Value.Summary, CodeStage.ApplyOfPlan);
        await RequestAndEnd.PostAsync(run, trigger, run.Policy, TerraformCommand.Apply, second, plan.Value.Summary, CodeStage.ApplyOfPlan, cancellationToken);
        return 0;
    }

    /// <summary>
    /// An apply's code: the plan is made again with the session and applied only when its changes
    /// equal the ones the request showed, and the request's whole text is what TfMfa would write for it.
    /// </summary>
    private static async Task<int> ApplyShownAsync(GateRun run, ICommentTrigger trigger, Answering a, Unlocking unlocking, GatePolicy codePolicy, string current,
        AwsCredentials credentials, SuppliedCode accepted, string context, CancellationToken cancellationToken)
    {
        var (exitCode, plan) = await PlanAsync(run, credentials, cancellationToken);
        if (plan is null)
        {
            await FinishedAsync(trigger, a, context, exitCode, "terraform plan", cancellationToken);
            return exitCode;
        }
        var (file, summary) = plan.Value;
        try
        {
            if (summary.ChangesSha256 != a.Facts.ChangesSha256)
                await CloseAndRefuseAsync(run, trigger, a, unlocking, TriggerState.Failure,
                    $"The plan changed since request `{a.Marker.Id}` showed it ({summary.CountsLine} now; changes SHA-256 {summary.ChangesSha256} against {a.Facts.ChangesSha256 ?? "none"} shown), " +
                    "so nothing is applied with its code. The next plan run asks again.", cancellationToken);
            var expected = RequestCommentText.Waiting(DetailsFor(run, trigger, a, codePolicy, TerraformCommand.Apply, unlocking, summary, a.Facts), null, 0);
            if (!TriggerTexts.Same(current, expected))
                await CloseAndRefuseAsync(run, trigger, a, unlocking, TriggerState.Failure,
                    $"Request `{a.Marker.Id}` does not show exactly the plan this run made ({TriggerTexts.FirstDifference(current, expected)}), so nothing is applied with its code. The next plan run asks again.", cancellationToken);
            await AuthenticatedAsync(run, trigger, a, unlocking, codePolicy, TerraformCommand.Apply, summary, credentials, accepted, cancellationToken);
            exitCode = await ShownPlan.ApplyAsync(run, credentials, file, summary, cancellationToken);
            await FinishedAsync(trigger, a, context, exitCode, "terraform apply", cancellationToken);
            return exitCode;
        }
        finally
        {
            PlanFiles.Delete(file);
        }
    }

    /// <summary>The plan again, with the session, saved and sealed; null when terraform failed.</summary>
    private static async Task<(int ExitCode, (string File, PlanSummary Summary)? Plan)> PlanAsync(GateRun run, AwsCredentials credentials, CancellationToken cancellationToken)
    {
        var written = run.Services.Terraform.NewPlanPath();
        try
        {
            var exitCode = await run.Terraform.RunAsync(credentials, TerraformCommandLine.PlanToShow(run.Inputs.Init, written, run.Inputs.TerraformArgs), cancellationToken);
            if (exitCode != 0) return (exitCode, null);
            var sealedPlan = run.Services.Terraform.Seal(written);
            var summary = await run.Terraform.ShowAsync(sealedPlan, credentials, cancellationToken);
            run.Outputs.PlanSha256 = summary.Sha256;
            run.Log.Info($"{summary.CountsLine} Plan file SHA-256 {summary.Sha256}; changes SHA-256 {summary.ChangesSha256}.");
            return (0, (sealedPlan, summary));
        }
        finally
        {
            PlanFiles.Delete(written);
        }
    }

    /// <summary>The request says 🔓 and the step summary records the code.</summary>
    private static async Task AuthenticatedAsync(GateRun run, ICommentTrigger trigger, Answering a, Unlocking unlocking, GatePolicy codePolicy, TerraformCommand codeCommand,
        PlanSummary? plan, AwsCredentials credentials, SuppliedCode accepted, CancellationToken cancellationToken)
    {
        var details = DetailsFor(run, trigger, a, codePolicy, codeCommand, unlocking, plan, a.Facts);
        await trigger.Conversation.EditRequestAsync(a.Request,
            RequestCommentText.Authenticated(details, accepted.SuppliedBy, run.Services.Clock.GetUtcNow(), credentials.Expiration, accepted.Device), cancellationToken);
        await trigger.Conversation.ConcludeAsync(a.Request, cancellationToken);
        CodeWait.Summarize(run, codePolicy, codeCommand, accepted, credentials, unlocking.Unlocks with { Plan = plan });
    }

    private static Task FinishedAsync(ICommentTrigger trigger, Answering a, string context, int exitCode, string what, CancellationToken cancellationToken) =>
        trigger.SetStatusAsync(a.Facts.CommitSha, context, exitCode == 0 ? TriggerState.Success : TriggerState.Failure,
            exitCode == 0 ? $"{what} ran with MFA by {a.Code.SuppliedBy}" : $"{what} failed with exit code {exitCode}", trigger.Link(a.Request), cancellationToken);
}
