using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.RunLog;

namespace TfMfa.Gate;

/// <summary>
/// The attempt loop, once for every channel: open a request, wait for a code, send it to STS exactly
/// once, and tell the request how it went. A refused code leaves attempts (wait.max-attempts) while
/// another code may help; the deadline (wait.timeout) ends the wait.
/// </summary>
public sealed class CodeWait(GateRun run, ICodeChannel channel, IStsClient sts)
{
    /// <summary>How long the last word to the people asked (the request's final text) may take.</summary>
    public static readonly TimeSpan FinalUpdateGrace = TimeSpan.FromSeconds(10);

    private IRunLog Log => run.Log;
    private TimeProvider Clock => run.Services.Clock;

    public async Task<AwsCredentials> CredentialsAsync(GatePolicy policy, TerraformCommand command, string? sharedSerial, WhatRuns unlocks, CancellationToken cancellationToken)
    {
        var timeoutAfter = policy.Wait.Timeout;
        using var timeout = new CancellationTokenSource(timeoutAfter, Clock);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var codeRequest = new CodeRequest(command, policy.Environment, sharedSerial ?? "your own MFA device", Clock.GetUtcNow() + timeoutAfter, unlocks);

        ICodeRequest? request = null;
        try
        {
            request = await WithinTimeoutAsync(() => channel.OpenAsync(codeRequest, waiting.Token), timeoutAfter, timeout, cancellationToken);
            for (var attempt = Attempt.First(policy.Wait.MaxAttempts); ;)
            {
                var supplied = await WithinTimeoutAsync(() => request.NextCodeAsync(attempt, waiting.Token), timeoutAfter, timeout, cancellationToken);
                var (credentials, rejection) = await TryCodeAsync(policy, command, sharedSerial, unlocks, supplied, request, cancellationToken);
                if (credentials is not null) return credentials;
                if (attempt.Left - 1 == 0 || !rejection!.AnotherCodeMayHelp)
                {
                    var why = rejection!.AnotherCodeMayHelp ? $"{attempt.MaxAttempts} code{(attempt.MaxAttempts == 1 ? " was" : "s were")} refused (wait.max-attempts)" : "another code would not help";
                    throw new TfMfaException($"MFA failed: {why}. Last answer: {rejection.Message}", rejection);
                }
                attempt = attempt.After(new Rejection(supplied, rejection.Message));
            }
        }
        catch (Exception e) when (request is not null && e is TfMfaException or OperationCanceledException)
        {
            var outcome = e switch
            {
                CodeWaitCancelledException => new Outcome.Ended(CodeWaitEnd.Cancelled, e.Message),
                CodeWaitTimedOutException => new Outcome.Ended(CodeWaitEnd.TimedOut, e.Message),
                OperationCanceledException => new Outcome.Ended(CodeWaitEnd.Cancelled, "The run was cancelled."),
                _ => new Outcome.Ended(CodeWaitEnd.Failed, e.Message),
            };
            await TellThePeopleAskedAsync(request, outcome);
            throw;
        }
        finally
        {
            if (request is not null) await request.DisposeAsync();
        }
    }

    /// <summary>Sends one code to STS and tells the request; the session, or STS's refusal.</summary>
    private async Task<(AwsCredentials? Credentials, StsException? Rejection)> TryCodeAsync(GatePolicy policy, TerraformCommand command, string? sharedSerial, WhatRuns unlocks,
        SuppliedCode supplied, ICodeRequest request, CancellationToken cancellationToken)
    {
        var (credentials, accepted, rejection) = await ExchangeAsync(run, sts, policy, sharedSerial, supplied, cancellationToken);
        if (credentials is null) return (null, rejection);
        await request.CloseAsync(new Outcome.Authenticated(accepted, credentials.Expiration), cancellationToken);
        // Just before terraform runs with the session: the request the code answered still says what TfMfa wrote.
        if (await request.RewrittenAsync(cancellationToken) is { } rewritten)
            throw new TfMfaException($"The session is not used: {rewritten} after {accepted.SuppliedBy}'s code was accepted, so what it showed may not be what runs. Run the job again.");
        Summarize(run, policy, command, accepted, credentials, unlocks);
        return (credentials, null);
    }

    /// <summary>
    /// Sends one code to STS, exactly once, with its writer's own device where they have one: the
    /// session (masked, in the outputs, and "Authenticated with MFA by" in the log), or STS's refusal.
    /// </summary>
    /// <returns>The session and the code with the device it was checked against; or the refusal.</returns>
    public static async Task<(AwsCredentials? Credentials, SuppliedCode Accepted, StsException? Rejection)> ExchangeAsync(GateRun run, IStsClient sts, GatePolicy policy,
        string? sharedSerial, SuppliedCode supplied, CancellationToken cancellationToken)
    {
        var log = run.Log;
        log.MaskCode(supplied.Code.Digits);
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
                    mfa, run.Inputs.SessionDuration.Value, cancellationToken)
                : await sts.GetSessionTokenAsync(mfa, run.Inputs.SessionDuration.Value, cancellationToken);
            run.MaskSession(credentials);

            run.Outputs.AuthenticatedBy = supplied.SuppliedBy;
            run.Outputs.SessionExpiration = credentials.Expiration;
            run.Outputs.MfaDevice = serialNumber;
            log.Notice($"Authenticated with MFA by {supplied.SuppliedBy}");
            log.Info($"The code was checked against {(own is null ? "the shared MFA device" : $"{supplied.SuppliedBy}'s own MFA device")} {serialNumber}.");
            return (credentials, supplied, null);
        }
        catch (StsException e)
        {
            log.Error($"🔴 MFA code from {supplied.SuppliedBy} was not accepted: {e.Message}");
            return (null, supplied, e);
        }
    }

    /// <summary>The step summary's record of the code that was accepted.</summary>
    public static void Summarize(GateRun run, GatePolicy policy, TerraformCommand command, SuppliedCode accepted, AwsCredentials credentials, WhatRuns unlocks)
    {
        var via = policy.RoleToAssume is { } assumed ? $"AssumeRole `{assumed}`" : "GetSessionToken";
        run.Log.AppendSummary(StepSummary.Authenticated(accepted.SuppliedBy, command, policy.Environment,
            run.Services.Clock.GetUtcNow(), credentials.Expiration, via, accepted.Device!, unlocks));
    }

    /// <summary>The wait's own deadline ends it with an error that says what to do (and what kept failing, if anything).</summary>
    private async Task<T> WithinTimeoutAsync<T>(Func<Task<T>> wait, TimeSpan timeoutAfter, CancellationTokenSource timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await wait();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var service = run.Services.FrontEnd.Context.Service;
            throw new CodeWaitTimedOutException(channel.Trouble is { } trouble
                ? $"No MFA code could be read within {Duration.Format(timeoutAfter)} (the timeout): {service} kept failing, last with: {trouble}. Run the job again when {service} answers."
                : $"No MFA code arrived within {Duration.Format(timeoutAfter)} (the timeout). Run the job again and supply a code sooner, or raise wait.timeout in the config or the timeout input.");
        }
    }

    /// <summary>
    /// Best effort, on the run's clock and bounded even if the request ignores its token: the reason
    /// the wait ended (time-out, refused codes) is the error the run reports, never a failure to say so.
    /// </summary>
    private async Task TellThePeopleAskedAsync(ICodeRequest request, Outcome outcome)
    {
        using var grace = new CancellationTokenSource(FinalUpdateGrace, Clock);
        try
        {
            await request.CloseAsync(outcome, grace.Token).WaitAsync(FinalUpdateGrace, Clock, grace.Token);
        }
        catch (Exception e)
        {
            Log.Warning(e is OperationCanceledException or TimeoutException
                ? $"Could not tell the people asked for a code that the wait ended within {Duration.Format(FinalUpdateGrace)}."
                : $"Could not tell the people asked for a code that the wait ended ({e.Message}).");
        }
    }
}
