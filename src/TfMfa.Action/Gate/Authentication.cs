using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Terraform;

namespace TfMfa.Gate;

/// <summary>
/// Turns a code into an MFA session for one run: says what the code unlocks, refuses what must never
/// get a code (keys AWS refuses, a checkout that is not the pull request's head, a fork's code), then
/// waits for the code (<see cref="CodeWait"/>). One channel serves every code of the run, so an
/// environment approval's code is used once.
/// </summary>
/// <param name="SharedSerial">AWS_MFA_SERIAL_NUMBER where the config lets it serve, else null (each person's own device).</param>
public sealed record Unlocking(WhatRuns Unlocks, string? SharedSerial, IStsClient Sts);

public sealed class Authentication(GateRun run)
{
    private ICodeChannel? _channel;

    /// <param name="policy">The policy for what the code unlocks (the plan of an apply may assume the plan role).</param>
    /// <param name="command">What the code unlocks: the input's command, or the plan of an apply.</param>
    /// <param name="plan">The plan the code applies, shown in the request.</param>
    public async Task<AwsCredentials> UnlockAsync(GatePolicy policy, TerraformCommand command, CancellationToken cancellationToken,
        PlanSummary? plan = null, CodeStage stage = CodeStage.Only)
    {
        var unlocking = await PrepareAsync(policy, command, cancellationToken, plan, stage);
        _channel ??= run.Services.FrontEnd.CodeChannel(run.Inputs, run.Policy);
        return await new CodeWait(run, _channel, unlocking.Sts).CredentialsAsync(policy, command, unlocking.SharedSerial, unlocking.Unlocks, cancellationToken);
    }

    /// <summary>Everything settled before anyone is asked for a code: what it unlocks, and that asking is right at all.</summary>
    public async Task<Unlocking> PrepareAsync(GatePolicy policy, TerraformCommand command, CancellationToken cancellationToken,
        PlanSummary? plan = null, CodeStage stage = CodeStage.Only)
    {
        var log = run.Log;
        run.Aws.RequireLongTerm("when MFA is required");
        // With devices: each person's own; AWS_MFA_SERIAL_NUMBER only where the config lets it serve too.
        var sharedSerial = policy.Approvers.UsesSharedDevice ? run.Aws.RequireSerialNumber() : null;
        if (policy.RoleToAssume is { } roleArn) run.Inputs.SessionDuration.EnsureFitsAssumeRole(roleArn);
        var sts = run.Services.CreateSts(run.Aws, run.Inputs.AwsRegion);
        await CheckKeysAsync(sts, cancellationToken);
        var (commitSha, commitUrl) = await run.CommitThatRunsAsync(cancellationToken);
        var unlocks = new WhatRuns(run.WorkspaceRelative, commitSha, commitUrl,
            policy.RoleToAssume, run.Inputs.SessionDuration.Value, await run.Terraform.VersionAsync(cancellationToken), DeviceText(policy.Approvers, sharedSerial), plan, stage,
            PlanCanDoMore: command == TerraformCommand.Plan && policy.PlanRoleToAssume is null);
        if (unlocks.PlanCanDoMore)
            log.Warning($"The code for this plan unlocks a session that can do everything {unlocks.Identity.Replace("`", "", StringComparison.Ordinal)} may, though TfMfa runs only a plan with it: " +
                $"name a read-only role as environments.{policy.Environment}.plan-role-to-assume in the default branch's config, so a plan's code cannot deploy.");
        log.Info($"The code unlocks {unlocks.Describe(command, policy.Environment)}.");
        return new Unlocking(unlocks, sharedSerial, sts);
    }

    /// <summary>
    /// A fork's code never runs in a job that will hold MFA credentials unless the trusted config
    /// accepts that risk: decided once, by the gate, before terraform first runs and before anyone is asked.
    /// </summary>
    public static async Task RefuseForeignCodeAsync(GateRun run, CancellationToken cancellationToken)
    {
        if (run.Policy.AllowForkPrs) return;
        if (await run.Services.FrontEnd.ForeignCodeAsync(run.Inputs, cancellationToken) is { } fork)
            throw new TfMfaException(
                $"{fork}: this job would run the fork's code with MFA credentials, so TfMfa does not ask for a code. " +
                $"Run the plan from a branch of this repository, or, if you accept that risk, set allow-fork-prs: true in {run.Inputs.TrustedConfigPath} on the default branch.");
    }

    /// <summary>
    /// Nobody should type a code for keys AWS would refuse anyway: a GetCallerIdentity first (free,
    /// needs no permission). It also readies the STS client for the call a person is waiting on.
    /// Only a fault another try could fix (network, throttling) lets the run go on.
    /// </summary>
    private async Task CheckKeysAsync(IStsClient sts, CancellationToken cancellationToken)
    {
        try
        {
            run.Log.Info($"AWS keys belong to {await sts.GetCallerArnAsync(cancellationToken)}.");
        }
        catch (StsException e) when (e.Kind is StsFailureKind.Network or StsFailureKind.Throttled or StsFailureKind.ServiceError)
        {
            run.Log.Warning($"Could not check the AWS keys before asking for a code: {e.Message}");
        }
    }

    private static string DeviceText(ApproverPolicy approvers, string? sharedSerial) =>
        approvers.PersonalDevices.Count == 0 ? $"the MFA device `{sharedSerial}`"
        : sharedSerial is null ? "your own MFA device (the one devices: in the default branch's config names for you)"
        : $"your own MFA device (devices: in the default branch's config), or the shared device `{sharedSerial}` if you have none";
}
