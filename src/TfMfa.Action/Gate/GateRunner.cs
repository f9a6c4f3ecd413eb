using System.Globalization;
using TfMfa.Aws;
using TfMfa.Config;
using TfMfa.Gate.Flows;
using TfMfa.Inputs;
using TfMfa.RunLog;
using TfMfa.Terraform;
using TfMfa.Terraform.Releases;

namespace TfMfa.Gate;

/// <summary>
/// One run of the action: inputs and config -> level decision -> a code and STS credentials when
/// MFA is required -> terraform with those credentials -> outputs and summary. Returns the exit code.
/// </summary>
public sealed class GateRunner(GateServices services)
{
    public const int FailureExitCode = 1;
    public const int CancelledExitCode = 130;

    private IRunLog Log => services.FrontEnd.Log;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var outputs = new RunOutputs();
        // Secrets the job handed us are masked before anything else can print them.
        foreach (var name in AwsSettings.SecretVariables.Concat(services.FrontEnd.Context.SecretVariables).Distinct())
            if (services.Environment.Get(name) is { } secret) Log.Mask(secret);

        ActionInputs? inputs = null;
        try
        {
            inputs = InputReader.Read(services.Environment, args, services.FrontEnd.Inputs);
            if (inputs.ApiToken is { } token) Log.Mask(token); // also when it came as an option (--github-token)
            var run = await PrepareAsync(inputs, outputs, cancellationToken);
            var exitCode = await RunFlowAsync(run, cancellationToken);
            outputs.ExitCode = exitCode.ToString(CultureInfo.InvariantCulture);
            return exitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            const string message = "The run was cancelled; terraform was interrupted so it could release its state lock.";
            Log.Error(message);
            if (inputs is not null) Log.AppendSummary(StepSummary.Failed(inputs.Command, inputs.Environment, message));
            return CancelledExitCode;
        }
        catch (TfMfaException e)
        {
            Log.Error(e.Message);
            if (inputs is not null) Log.AppendSummary(StepSummary.Failed(inputs.Command, inputs.Environment, e.Message));
            return FailureExitCode;
        }
        catch (Exception e)
        {
            // A defect, not a user error: say so plainly; the log still redacts every registered secret.
            // Everything is caught here, a stray cancellation too, so the outputs below are always written.
            Log.Error($"TfMfa failed unexpectedly ({e.GetType().Name}: {e.Message}). Please report this with the log above.");
            return FailureExitCode;
        }
        finally
        {
            outputs.WriteTo(Log);
        }
    }

    /// <summary>Everything that is settled before anyone is asked for a code, or terraform runs the commit's code.</summary>
    private async Task<GateRun> PrepareAsync(ActionInputs inputs, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var aws = services.FrontEnd.Aws(services.Environment);
        var policy = (await ConfigLoader.LoadAsync(inputs.Workspace, inputs.ConfigPath, inputs.TrustedConfigPath, inputs.Environment,
            inputs.ConfigOverrides, services.FrontEnd.DefaultBranch(inputs), cancellationToken)).For(inputs.Command);

        // A version that cannot be had, or fails its checks, ends the run here.
        var tool = services.Tools is { } tools
            ? await tools.ResolveAsync(inputs.ToolRequest, inputs.WorkingDirectory, inputs.Workspace, cancellationToken)
            : new ResolvedTool("terraform", "terraform on PATH");
        if (tool.Executable != "terraform") Log.Info($"Using {tool.Description}.");
        // Once, before terraform first starts (a run may start it several times).
        foreach (var warning in ChildEnvironment.Warnings(services.Environment.All().Keys)) Log.Warning(warning);
        // Before the commit's code first runs: plan-time code could plant a .git that names another commit.
        var checkedOut = CheckedOutCommit.Read(inputs.WorkingDirectory, inputs.Workspace);
        var (walls, limits) = services.Terraform.Prepare(inputs.WorkingDirectory);
        Log.Info($"{walls}; nothing it starts outlives its run.");
        foreach (var limit in limits) Log.Warning(limit);

        var terraform = new TerraformSession(services.Terraform, tool, inputs.WorkingDirectory, services.Environment, inputs.AwsRegion, Log);
        return new GateRun(services, inputs, policy, aws, terraform, outputs, checkedOut);
    }

    /// <summary>The level decides whether a code is needed; the command and plan-file decide the flow.</summary>
    private async Task<int> RunFlowAsync(GateRun run, CancellationToken cancellationToken)
    {
        var (inputs, policy) = (run.Inputs, run.Policy);
        var mfaRequired = policy.Level.RequiresMfa(inputs.Command);
        run.Outputs.MfaRequired = mfaRequired;
        Log.Info($"TfMfa: {inputs.Command.Name()} in environment '{policy.Environment}', MFA level {policy.Level.Name()} (set by {policy.LevelSetBy}): " +
                 (mfaRequired ? "a one-time code is required." : "no code is required."));
        // Before terraform first runs the commit's code (an applies-only apply plans before it asks): a fork's code never
        // runs in a job that will hold MFA credentials, unless the trusted config accepts that risk.
        if (mfaRequired) await Authentication.RefuseForeignCodeAsync(run, cancellationToken);

        if (policy.Wait.Mode == WaitMode.CommentTrigger)
        {
            var trigger = services.FrontEnd.CommentTrigger(inputs, policy);
            // A /mfa reply starts this run for a code; where none is needed, there is nothing to answer and nothing runs.
            if (trigger?.Answer is not null && !mfaRequired)
            {
                Log.Notice($"This run was started by a /mfa reply, but terraform {inputs.Command.Name()} in '{policy.Environment}' needs no code: there is nothing to answer, so nothing runs.");
                return 0;
            }
            if (mfaRequired)
            {
                if (trigger is null)
                    throw new TfMfaException($"wait.mode is comment-trigger, which TfMfa does not offer on {services.FrontEnd.Context.Service} yet: set wait.mode: poll in the default branch's config for this platform.");
                return trigger.Answer is { } answer
                    ? await AnswerFromComment.RunAsync(run, trigger, answer, cancellationToken)
                    : await RequestAndEnd.RunAsync(run, trigger, cancellationToken);
            }
        }
        if (inputs.Command == TerraformCommand.Apply && inputs.PlanFile is { } savedPlan)
        {
            ApplySavedPlan.Check(inputs, savedPlan); // before anyone is asked for a code
            if (mfaRequired) return await ApplySavedPlan.RunAsync(run, savedPlan, cancellationToken);
        }
        if (mfaRequired && inputs.Command == TerraformCommand.Apply)
            return await ApplyWhatWasApproved.RunAsync(run, cancellationToken);
        return await PlainRun.RunAsync(run, mfaRequired, cancellationToken);
    }
}
