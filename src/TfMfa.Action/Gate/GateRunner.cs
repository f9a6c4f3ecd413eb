using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;
using TfMfa.Terraform;
using TfMfa.Terraform.Releases;

namespace TfMfa.Gate;

/// <summary>The I/O boundaries a run talks through; <see cref="Program"/> composes the real ones, tests their stand-ins.</summary>
/// <param name="FrontEnd">The CI system (or terminal) the run talks to: context, log, default branch, code channels.</param>
public sealed record GateServices(
    IEnvironment Environment,
    IFrontEnd FrontEnd,
    Func<AwsSettings, string, IStsClient> CreateSts,
    ITerraformProcess Terraform,
    TimeProvider Clock,
    ToolInstaller? Tools = null);

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
            var aws = services.FrontEnd.Aws(services.Environment);
            var policy = (await ConfigLoader.LoadAsync(inputs.Workspace, inputs.ConfigPath, inputs.TrustedConfigPath, inputs.Environment,
                inputs.ConfigOverrides, services.FrontEnd.DefaultBranch(inputs), cancellationToken)).For(inputs.Command);

            // Before anyone is asked for a code: a version that cannot be had, or fails its checks, ends the run here.
            var tool = services.Tools is { } tools
                ? await tools.ResolveAsync(inputs.ToolRequest, inputs.WorkingDirectory, inputs.Workspace, cancellationToken)
                : new ResolvedTool("terraform", "terraform on PATH");
            if (tool.Executable != "terraform") Log.Info($"Using {tool.Description}.");
            // Once, before terraform first starts (a run may start it several times).
            foreach (var warning in ChildEnvironment.Warnings(services.Environment.All().Keys)) Log.Warning(warning);
            // Before the commit's code first runs: plan-time code could plant a .git that names another commit.
            _checkedOut = CheckedOutCommit.Read(inputs.WorkingDirectory, inputs.Workspace);
            var (walls, limits) = services.Terraform.Prepare(inputs.WorkingDirectory);
            Log.Info($"{walls}; nothing it starts outlives its run.");
            foreach (var limit in limits) Log.Warning(limit);

            var mfaRequired = policy.Level.RequiresMfa(inputs.Command);
            outputs.MfaRequired = mfaRequired;
            Log.Info($"TfMfa: {inputs.Command.Name()} in environment '{policy.Environment}', MFA level {policy.Level.Name()} (set by {policy.LevelSetBy}): " +
                     (mfaRequired ? "a one-time code is required." : "no code is required."));

            if (inputs.Command == TerraformCommand.Apply && inputs.PlanFile is { } savedPlan)
                CheckSavedPlan(inputs, savedPlan); // before anyone is asked for a code
            if (mfaRequired && inputs.Command == TerraformCommand.Apply && inputs.PlanFile is { } approvedPlan)
            {
                var applied = await ApplySavedPlanAsync(inputs, policy, aws, tool, outputs, approvedPlan, cancellationToken);
                outputs.ExitCode = applied.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return applied;
            }
            if (mfaRequired && inputs.Command == TerraformCommand.Apply && inputs.PlanFile is null)
            {
                var applied = await ApplyWhatWasApprovedAsync(inputs, policy, aws, tool, outputs, cancellationToken);
                outputs.ExitCode = applied.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return applied;
            }

            AwsCredentials? credentials;
            if (mfaRequired)
            {
                credentials = await AuthenticateAsync(inputs, policy, aws, tool, outputs, cancellationToken);
            }
            else
            {
                credentials = await WithoutMfaAsync(inputs, policy, aws, cancellationToken);
                Log.AppendSummary(StepSummary.NotRequired(inputs.Command, policy.Environment, policy.Level.Name(), policy.LevelSetBy));
            }

            var exitCode = await RunTerraformAsync(inputs, credentials, tool,
                TerraformCommandLine.For(inputs.Command, inputs.Init, inputs.PlanFile, inputs.TerraformArgs), cancellationToken);
            if (exitCode == 0 && inputs.Command == TerraformCommand.Plan && inputs.PlanFile is { } saved)
                outputs.PlanSha256 = Sha256Of(Path.Combine(inputs.WorkingDirectory, saved));
            outputs.ExitCode = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
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
    private async Task<int> ApplyWhatWasApprovedAsync(ActionInputs inputs, GatePolicy policy, AwsSettings aws, ResolvedTool tool, RunOutputs outputs, CancellationToken cancellationToken)
    {
        // Out of the workspace; the plan holds every value unredacted.
        var written = services.Terraform.NewPlanPath();
        string? planFile = null;
        try
        {
            AwsCredentials? planCredentials;
            IMfaCodeSource? codes = null;
            if (policy.Level.RequiresMfa(TerraformCommand.Plan))
            {
                Log.Info("plans-and-applies: a first code unlocks the plan; the plan is then shown, and a second code applies exactly that saved plan.");
                codes = services.FrontEnd.CodeSource(inputs, policy); // one source for both codes: the approval's code is used once
                planCredentials = await AuthenticateAsync(inputs, policy.For(TerraformCommand.Plan), aws, tool, outputs, cancellationToken,
                    command: TerraformCommand.Plan, stage: CodeStage.PlanOfApply, codes: codes);
            }
            else
            {
                var planPolicy = policy.PlanRoleToAssume is null ? policy with { RoleToAssume = null } : policy.For(TerraformCommand.Plan);
                Log.Info($"applies-only: terraform plans first without a code ({(planPolicy.RoleToAssume is { } role ? $"as {role}" : "with the keys as given")}, no state lock); the code then applies exactly that saved plan.");
                planCredentials = await WithoutMfaAsync(inputs, planPolicy, aws, cancellationToken);
            }

            List<IReadOnlyList<string>> planning = [];
            if (inputs.Init) planning.Add(["init", "-input=false"]);
            planning.Add(["plan", "-input=false", "-lock=false", $"-out={written}", .. inputs.TerraformArgs]);
            var exitCode = await RunTerraformAsync(inputs, planCredentials, tool, planning, cancellationToken);
            if (exitCode != 0) return exitCode;
            // From here on nothing terraform starts can change the plan that is shown and applied.
            planFile = services.Terraform.Seal(written);

            var plan = await ShowPlanAsync(inputs, tool, planFile, planCredentials, cancellationToken);
            outputs.PlanSha256 = plan.Sha256;
            Log.Info($"{plan.CountsLine} Plan file SHA-256 {plan.Sha256}.");
            if (plan.IsEmpty)
            {
                var needed = codes is null ? "no code is needed" : "no second code is needed";
                Log.Notice($"The plan has no changes: nothing to apply, so {needed} and nothing was applied.");
                Log.AppendSummary(StepSummary.NothingToApply(policy.Environment, plan.Sha256, askedForACode: codes is not null));
                return 0;
            }

            if (codes is not null) outputs.ForgetAuthentication(); // the outputs name the code that applies, or none if it never comes
            var credentials = await AuthenticateAsync(inputs, policy, aws, tool, outputs, cancellationToken, plan,
                stage: codes is null ? CodeStage.Only : CodeStage.ApplyOfPlan, codes: codes);
            return await ApplyShownPlanAsync(inputs, credentials, tool, planFile, plan, cancellationToken);
        }
        finally
        {
            foreach (var file in new[] { written, planFile })
                try { if (file is not null) File.Delete(file); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>A plan-file that is missing, or is not the plan the plan job saved (plan-sha256), is refused here.</summary>
    private void CheckSavedPlan(ActionInputs inputs, string planFile)
    {
        var path = Path.Combine(inputs.WorkingDirectory, planFile);
        if (!File.Exists(path))
            throw new TfMfaException($"input 'plan-file': {planFile} does not exist in {inputs.WorkingDirectory}; download the plan job's artifact there first");
        if (inputs.PlanSha256 is { } expected && Sha256Of(path) is var actual && actual != expected)
            throw new TfMfaException($"input 'plan-file': {planFile} has SHA-256 {actual}, but input 'plan-sha256' demands {expected} (the plan job's plan-sha256 output): " +
                "this is not the plan that was reviewed, so nobody is asked for a code. Apply the artifact of the plan job whose output you passed.");
    }

    /// <summary>
    /// <c>apply</c> of a saved plan from an earlier job: the request shows that plan (read with
    /// <c>terraform show -json</c>) and its SHA-256, and the file applied is the file shown.
    /// </summary>
    private async Task<int> ApplySavedPlanAsync(ActionInputs inputs, GatePolicy policy, AwsSettings aws, ResolvedTool tool, RunOutputs outputs, string planFile, CancellationToken cancellationToken)
    {
        // Sealed before terraform first runs with the commit's code: the file shown and applied is the file checked.
        var path = services.Terraform.Seal(Path.Combine(inputs.WorkingDirectory, planFile));
        if (inputs.PlanSha256 is { } expected && Sha256Of(path) != expected)
            throw new TfMfaException($"input 'plan-file': {planFile} changed while it was sealed, so nobody is asked for a code. Run the job again.");
        if (inputs.Init)
        {
            // terraform show needs the providers; init reads the backend with the keys as given.
            var exitCode = await RunTerraformAsync(inputs, null, tool, [["init", "-input=false"]], cancellationToken);
            if (exitCode != 0) return exitCode;
        }
        var plan = await ShowPlanAsync(inputs, tool, path, null, cancellationToken);
        outputs.PlanSha256 = plan.Sha256;
        Log.Info($"The saved plan {planFile}: {plan.CountsLine} SHA-256 {plan.Sha256}{(inputs.PlanSha256 is null ? "" : " (as input 'plan-sha256' demands)")}.");
        try
        {
            var credentials = await AuthenticateAsync(inputs, policy, aws, tool, outputs, cancellationToken, plan);
            return await ApplyShownPlanAsync(inputs, credentials, tool, path, plan, cancellationToken);
        }
        finally
        {
            try { File.Delete(path); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>The file applied is the file shown: nothing may have swapped it while the code was awaited.</summary>
    private async Task<int> ApplyShownPlanAsync(ActionInputs inputs, AwsCredentials credentials, ResolvedTool tool, string planFile, PlanSummary shown, CancellationToken cancellationToken)
    {
        var sha = Sha256Of(planFile);
        if (sha != shown.Sha256)
            throw new TfMfaException($"The saved plan changed while the code was awaited (SHA-256 {shown.Sha256} shown, {sha} now), so it is not applied. Run the job again.");
        Log.Info($"Applying the plan shown in the request (SHA-256 {sha}).");
        return await RunTerraformAsync(inputs, credentials, tool, [["apply", "-input=false", planFile]], cancellationToken);
    }

    /// <param name="credentials">What the plan ran with: a backend that needs MFA to be read is read with the same.</param>
    private async Task<PlanSummary> ShowPlanAsync(ActionInputs inputs, ResolvedTool tool, string planFile, AwsCredentials? credentials, CancellationToken cancellationToken)
    {
        async Task<string> ShowAsync(params string[] arguments)
        {
            var output = new System.Text.StringBuilder();
            var errors = new System.Text.StringBuilder();
            var environment = TerraformEnvironment.Changes(services.Environment.All(), credentials, inputs.AwsRegion);
            // Not into the log: the JSON holds sensitive values as they are.
            var exitCode = await services.Terraform.RunAsync(new TerraformInvocation(arguments, inputs.WorkingDirectory, environment,
                tool.Executable == "terraform" ? null : tool.Executable), line => output.AppendLine(line), line => errors.AppendLine(line), cancellationToken);
            if (exitCode != 0)
                throw new TfMfaException($"terraform {string.Join(' ', arguments[..^1])} could not read the saved plan (exit code {exitCode}): {Log.Redact(errors.ToString().Trim())}");
            return output.ToString();
        }

        var json = await ShowAsync("show", "-json", planFile);
        var rendered = await ShowAsync("show", "-no-color", planFile);
        try
        {
            return PlanSummary.From(json, rendered, Sha256Of(planFile), Log.Redact);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new TfMfaException($"terraform show -json printed no plan TfMfa can read ({e.Message}), so nobody is asked to approve it.", e);
        }
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }

    /// <param name="command">What the code unlocks, when not the input's command (the plan of an apply).</param>
    /// <param name="codes">The run's code source, when it asks for more than one code; else one is made.</param>
    private async Task<AwsCredentials> AuthenticateAsync(ActionInputs inputs, GatePolicy policy, AwsSettings aws, ResolvedTool tool, RunOutputs outputs, CancellationToken cancellationToken,
        PlanSummary? plan = null, TerraformCommand? command = null, CodeStage stage = CodeStage.Only, IMfaCodeSource? codes = null)
    {
        var unlocked = command ?? inputs.Command;
        aws.RequireLongTerm("when MFA is required");
        // With devices: each person's own; AWS_MFA_SERIAL_NUMBER only where the config lets it serve too.
        var sharedSerial = policy.Approvers.UsesSharedDevice ? aws.RequireSerialNumber() : null;
        if (policy.RoleToAssume is { } roleArn) inputs.SessionDuration.EnsureFitsAssumeRole(roleArn);
        var sts = services.CreateSts(aws, inputs.AwsRegion);
        await CheckKeysAsync(sts, cancellationToken);
        var (commitSha, commitUrl) = await CommitThatRunsAsync(inputs, cancellationToken);
        var unlocks = new WhatRuns(WorkspaceRelative(inputs), commitSha, commitUrl,
            policy.RoleToAssume, inputs.SessionDuration.Value, await TerraformVersionAsync(inputs, tool, cancellationToken), DeviceText(policy.Approvers, sharedSerial), plan, stage,
            PlanCanDoMore: unlocked == TerraformCommand.Plan && policy.PlanRoleToAssume is null);
        if (unlocks.PlanCanDoMore)
            Log.Warning($"The code for this plan unlocks a session that can do everything {unlocks.Identity.Replace("`", "", StringComparison.Ordinal)} may, though TfMfa runs only a plan with it: " +
                $"name a read-only role as environments.{policy.Environment}.plan-role-to-assume in the default branch's config, so a plan's code cannot deploy.");
        Log.Info($"The code unlocks {unlocks.Describe(unlocked, policy.Environment)}.");
        codes ??= services.FrontEnd.CodeSource(inputs, policy);
        try
        {
            return await WaitForCredentialsAsync(inputs, unlocked, policy, sharedSerial, unlocks, sts, codes, outputs, cancellationToken);
        }
        catch (Exception e) when (e is TfMfaException or OperationCanceledException)
        {
            var (end, message) = e switch
            {
                CodeWaitCancelledException => (CodeWaitEnd.Cancelled, e.Message),
                CodeWaitTimedOutException => (CodeWaitEnd.TimedOut, e.Message),
                OperationCanceledException => (CodeWaitEnd.Cancelled, "The run was cancelled."),
                _ => (CodeWaitEnd.Failed, e.Message),
            };
            await TellThePeopleAskedAsync(codes, end, message);
            throw;
        }
    }

    /// <summary>
    /// The commit a request shows is the commit that runs: the working directory's HEAD, read before
    /// terraform first ran (the event's commit only where there is no checkout to read). Where the event names a pull request, a
    /// checkout of anything but its head is refused before anyone is asked.
    /// </summary>
    private string? _checkedOut;

    private async Task<(string? Sha, string? Url)> CommitThatRunsAsync(ActionInputs inputs, CancellationToken cancellationToken)
    {
        var context = services.FrontEnd.Context;
        if (_checkedOut is not { } head)
        {
            if (context.CommitSha is not null)
                Log.Info($"{WorkspaceRelative(inputs)} is not a git checkout TfMfa can read, so the request shows the event's commit {context.CommitSha}.");
            return (context.CommitSha, context.CommitUrl);
        }
        if (await services.FrontEnd.EventPullRequestHeadAsync(inputs, cancellationToken) is { } pullRequest
            && !string.Equals(pullRequest.Sha, head, StringComparison.OrdinalIgnoreCase))
            throw new TfMfaException($"The working directory has commit {head} checked out, but the pull request's head is {pullRequest.Sha}: " +
                $"a code would unlock a commit the pull request does not show, so nobody is asked for one. To fix it, {pullRequest.HowToCheckOut}.");
        // The platform's page of a commit ends with its SHA: the same page, for the commit that runs.
        var url = context.CommitUrl is { } eventUrl && context.CommitSha is { } eventSha && eventUrl.EndsWith(eventSha, StringComparison.Ordinal)
            ? eventUrl[..^eventSha.Length] + head
            : null;
        return (head, url);
    }

    /// <summary>How long the last word to the people asked (the request comment's final text) may take.</summary>
    public static readonly TimeSpan FinalUpdateGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Best effort, on the run's clock and bounded even if the source ignores its token: the reason
    /// the wait ended (time-out, refused codes) is the error the run reports, never a failure to say so.
    /// </summary>
    private async Task TellThePeopleAskedAsync(IMfaCodeSource codes, CodeWaitEnd end, string message)
    {
        using var grace = new CancellationTokenSource(FinalUpdateGrace, services.Clock);
        try
        {
            await codes.WaitEndedAsync(end, message, grace.Token).WaitAsync(FinalUpdateGrace, services.Clock, grace.Token);
        }
        catch (Exception e)
        {
            Log.Warning(e is OperationCanceledException or TimeoutException
                ? $"Could not tell the people asked for a code that the wait ended within {Duration.Format(FinalUpdateGrace)}."
                : $"Could not tell the people asked for a code that the wait ended ({e.Message}).");
        }
    }

    private static string WorkspaceRelative(ActionInputs inputs)
    {
        var relative = Path.GetRelativePath(inputs.Workspace, inputs.WorkingDirectory).Replace('\\', '/');
        return relative == "." ? "the repository root" : relative;
    }

    private static string DeviceText(ApproverPolicy approvers, string? sharedSerial) =>
        approvers.PersonalDevices.Count == 0 ? $"the MFA device `{sharedSerial}`"
        : sharedSerial is null ? "your own MFA device (the one devices: in the default branch's config names for you)"
        : $"your own MFA device (devices: in the default branch's config), or the shared device `{sharedSerial}` if you have none";

    private string? _terraformVersion;

    /// <summary>The version that will run, for the request: <c>terraform version -json</c>, best effort, once a run (an apply may ask twice).</summary>
    private async Task<string> TerraformVersionAsync(ActionInputs inputs, ResolvedTool tool, CancellationToken cancellationToken) =>
        _terraformVersion ??= await ReadTerraformVersionAsync(inputs, tool, cancellationToken);

    private async Task<string> ReadTerraformVersionAsync(ActionInputs inputs, ResolvedTool tool, CancellationToken cancellationToken)
    {
        var output = new System.Text.StringBuilder();
        try
        {
            var environment = TerraformEnvironment.Changes(services.Environment.All(), null, inputs.AwsRegion);
            var exitCode = await services.Terraform.RunAsync(new TerraformInvocation(["version", "-json"], inputs.WorkingDirectory, environment,
                tool.Executable == "terraform" ? null : tool.Executable), line => output.AppendLine(line), _ => { }, cancellationToken);
            if (exitCode == 0 && System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement.TryGetProperty("terraform_version", out var version))
                return version.GetString() ?? "unknown";
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or TfMfaException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        return "unknown";
    }

    private async Task<AwsCredentials> WaitForCredentialsAsync(ActionInputs inputs, TerraformCommand command, GatePolicy policy, string? sharedSerial, WhatRuns unlocks, IStsClient sts,
        IMfaCodeSource codes, RunOutputs outputs, CancellationToken cancellationToken)
    {
        var deadline = services.Clock.GetUtcNow() + policy.Wait.Timeout;
        using var timeout = new CancellationTokenSource(policy.Wait.Timeout, services.Clock);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);

        var maxAttempts = policy.Wait.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            SuppliedCode supplied;
            try
            {
                var request = new CodeRequest(command, policy.Environment, sharedSerial ?? "your own MFA device", attempt, maxAttempts, deadline, unlocks);
                supplied = await codes.NextCodeAsync(request, waiting.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CodeWaitTimedOutException(codes.Trouble is { } trouble
                    ? $"No MFA code could be read within {Duration.Format(policy.Wait.Timeout)} (the timeout): {services.FrontEnd.Context.Service} kept failing, last with: {trouble}. Run the job again when {services.FrontEnd.Context.Service} answers."
                    : $"No MFA code arrived within {Duration.Format(policy.Wait.Timeout)} (the timeout). Run the job again and supply a code sooner, or raise wait.timeout in the config or the timeout input.");
            }
            Log.MaskCode(supplied.Code.Digits);
            var own = policy.Approvers.DeviceOf(supplied.SuppliedBy);
            var serialNumber = own ?? sharedSerial ?? throw new TfMfaException(
                $"{supplied.SuppliedBy} has no MFA device of their own under devices: in the config, and allow-shared-device is false: add theirs, or let them use AWS_MFA_SERIAL_NUMBER with allow-shared-device: true");
            supplied = supplied with { Device = serialNumber };

            try
            {
                // Once a code is on its way, only a cancellation of the run stops the call, not the wait's timeout.
                var mfa = new MfaToken(serialNumber, supplied.Code);
                var credentials = policy.RoleToAssume is { } role
                    ? await sts.AssumeRoleAsync(new RoleRequest(role, SessionNames.SessionName(supplied.SuppliedBy), SessionNames.SourceIdentity(supplied.SuppliedBy)),
                        mfa, inputs.SessionDuration.Value, cancellationToken)
                    : await sts.GetSessionTokenAsync(mfa, inputs.SessionDuration.Value, cancellationToken);
                MaskSession(credentials);

                outputs.AuthenticatedBy = supplied.SuppliedBy;
                outputs.SessionExpiration = credentials.Expiration;
                outputs.MfaDevice = serialNumber;
                Log.Notice($"Authenticated with MFA by {supplied.SuppliedBy}");
                Log.Info($"The code was checked against {(own is null ? "the shared MFA device" : $"{supplied.SuppliedBy}'s own MFA device")} {serialNumber}.");
                await codes.AuthenticatedAsync(supplied, credentials.Expiration, cancellationToken);
                // Just before terraform runs with the session: the request the code answered still says what TfMfa wrote.
                if (await codes.RequestRewrittenAsync(cancellationToken) is { } rewritten)
                    throw new TfMfaException($"The session is not used: {rewritten} after {supplied.SuppliedBy}'s code was accepted, so what it showed may not be what runs. Run the job again.");
                var via = policy.RoleToAssume is { } assumed ? $"AssumeRole `{assumed}`" : "GetSessionToken";
                Log.AppendSummary(StepSummary.Authenticated(supplied.SuppliedBy, command, policy.Environment,
                    services.Clock.GetUtcNow(), credentials.Expiration, via, serialNumber, unlocks));
                return credentials;
            }
            catch (StsException e)
            {
                var attemptsLeft = e.AnotherCodeMayHelp ? maxAttempts - attempt : 0;
                Log.Error($"🔴 MFA code from {supplied.SuppliedBy} was not accepted: {e.Message}");
                await codes.CodeRejectedAsync(supplied, e.Message, attemptsLeft, cancellationToken);
                if (attemptsLeft == 0)
                {
                    var why = e.AnotherCodeMayHelp ? $"{maxAttempts} code{(maxAttempts == 1 ? " was" : "s were")} refused (wait.max-attempts)" : "another code would not help";
                    throw new TfMfaException($"MFA failed: {why}. Last answer: {e.Message}", e);
                }
            }
        }
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
            Log.Info($"AWS keys belong to {await sts.GetCallerArnAsync(cancellationToken)}.");
        }
        catch (StsException e) when (e.Kind is StsFailureKind.Network or StsFailureKind.Throttled or StsFailureKind.ServiceError)
        {
            Log.Warning($"Could not check the AWS keys before asking for a code: {e.Message}");
        }
    }

    private async Task<AwsCredentials?> WithoutMfaAsync(ActionInputs inputs, GatePolicy policy, AwsSettings aws, CancellationToken cancellationToken)
    {
        if (policy.RoleToAssume is not { } role) return null; // terraform runs with the keys as given
        inputs.SessionDuration.EnsureFitsAssumeRole(role);
        var longTerm = aws.RequireLongTerm($"to assume {role}");
        var actor = services.FrontEnd.Context.Actor;
        var credentials = await services.CreateSts(aws, inputs.AwsRegion).AssumeRoleAsync(
            new RoleRequest(role, SessionNames.SessionName(actor), null), null, inputs.SessionDuration.Value, cancellationToken);
        MaskSession(credentials);
        Log.Info($"Assumed {role} without MFA ({longTerm} -> {credentials}).");
        return credentials;
    }

    private void MaskSession(AwsCredentials credentials)
    {
        Log.Mask(credentials.AccessKeyId);
        foreach (var secret in credentials.Secrets()) Log.Mask(secret);
    }

    private async Task<int> RunTerraformAsync(ActionInputs inputs, AwsCredentials? credentials, ResolvedTool tool, IReadOnlyList<IReadOnlyList<string>> commands, CancellationToken cancellationToken)
    {
        var ambient = services.Environment.All();
        var environment = TerraformEnvironment.Changes(ambient, credentials, inputs.AwsRegion);
        foreach (var arguments in commands)
        {
            int exitCode;
            var name = tool.Executable == "terraform" ? "terraform" : Path.GetFileName(tool.Executable);
            using (Log.Group($"{name} {string.Join(' ', arguments)}"))
            using (Log.ToolOutputSection())
            {
                exitCode = await services.Terraform.RunAsync(new TerraformInvocation(arguments, inputs.WorkingDirectory, environment,
                        tool.Executable == "terraform" ? null : tool.Executable),
                    (output, token) => Log.ToolOutputAsync(output, isError: false, token), (output, token) => Log.ToolOutputAsync(output, isError: true, token), cancellationToken);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (exitCode != 0)
            {
                Log.Error($"terraform {arguments[0]} failed with exit code {exitCode}; see its output above.");
                Log.AppendSummary(StepSummary.TerraformFinished(arguments, exitCode));
                return exitCode;
            }
        }
        return 0;
    }

    /// <summary>The action's outputs, written once at the end whatever happened.</summary>
    private sealed class RunOutputs
    {
        public bool MfaRequired { get; set; }
        public string AuthenticatedBy { get; set; } = "";
        public string ExitCode { get; set; } = "";
        public DateTimeOffset? SessionExpiration { get; set; }
        public string MfaDevice { get; set; } = "";
        public string PlanSha256 { get; set; } = "";

        public void ForgetAuthentication()
        {
            AuthenticatedBy = "";
            SessionExpiration = null;
            MfaDevice = "";
        }

        public void WriteTo(IRunLog log)
        {
            log.SetOutput("mfa-required", MfaRequired ? "true" : "false");
            log.SetOutput("authenticated-by", AuthenticatedBy);
            log.SetOutput("exit-code", ExitCode);
            log.SetOutput("mfa-device", MfaDevice);
            log.SetOutput("plan-sha256", PlanSha256);
            log.SetOutput("session-expiration", SessionExpiration?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
    }
}
