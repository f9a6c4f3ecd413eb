using TfMfa.Aws;
using TfMfa.Config;
using TfMfa.Inputs;
using TfMfa.RunLog;
using TfMfa.Terraform;

namespace TfMfa.Gate;

/// <summary>
/// What one run knows once its inputs and config are read, held in one place rather than passed
/// from method to method: the flows and the code wait read it.
/// </summary>
/// <param name="Policy">The config's decision for the input's command.</param>
/// <param name="CheckedOut">The working directory's HEAD, read before terraform first ran; null where it is no git checkout TfMfa can read.</param>
public sealed record GateRun(
    GateServices Services,
    ActionInputs Inputs,
    GatePolicy Policy,
    AwsSettings Aws,
    TerraformSession Terraform,
    RunOutputs Outputs,
    string? CheckedOut)
{
    public IRunLog Log => Services.FrontEnd.Log;

    /// <summary>The working directory as the request shows it.</summary>
    public string WorkspaceRelative
    {
        get
        {
            var relative = Path.GetRelativePath(Inputs.Workspace, Inputs.WorkingDirectory).Replace('\\', '/');
            return relative == "." ? "the repository root" : relative;
        }
    }

    /// <summary>Credentials for a run that needs no code: the role assumed without MFA, or null for the keys as given.</summary>
    public async Task<AwsCredentials?> WithoutMfaAsync(GatePolicy policy, CancellationToken cancellationToken)
    {
        if (policy.RoleToAssume is not { } role) return null; // terraform runs with the keys as given
        Inputs.SessionDuration.EnsureFitsAssumeRole(role);
        var longTerm = Aws.RequireLongTerm($"to assume {role}");
        var actor = Services.FrontEnd.Context.Actor;
        var credentials = await Services.CreateSts(Aws, Inputs.AwsRegion).AssumeRoleAsync(
            new RoleRequest(role, SessionNames.SessionName(actor), null), null, Inputs.SessionDuration.Value, cancellationToken);
        MaskSession(credentials);
        Log.Info($"Assumed {role} without MFA ({longTerm} -> {credentials}).");
        return credentials;
    }

    public void MaskSession(AwsCredentials credentials)
    {
        Log.Mask(credentials.AccessKeyId);
        foreach (var secret in credentials.Secrets()) Log.Mask(secret);
    }

    /// <summary>
    /// The commit a request shows is the commit that runs: the working directory's HEAD, read before
    /// terraform first ran (the event's commit only where there is no checkout to read). Where the
    /// event names a pull request, a checkout of anything but its head is refused before anyone is asked.
    /// </summary>
    public async Task<(string? Sha, string? Url)> CommitThatRunsAsync(CancellationToken cancellationToken)
    {
        var context = Services.FrontEnd.Context;
        if (CheckedOut is not { } head)
        {
            if (context.CommitSha is not null)
                Log.Info($"{WorkspaceRelative} is not a git checkout TfMfa can read, so the request shows the event's commit {context.CommitSha}.");
            return (context.CommitSha, context.CommitUrl);
        }
        if (await Services.FrontEnd.EventPullRequestHeadAsync(Inputs, cancellationToken) is { } pullRequest
            && !string.Equals(pullRequest.Sha, head, StringComparison.OrdinalIgnoreCase))
            throw new TfMfaException($"The working directory has commit {head} checked out, but the pull request's head is {pullRequest.Sha}: " +
                $"a code would unlock a commit the pull request does not show, so nobody is asked for one. To fix it, {pullRequest.HowToCheckOut}.");
        // The platform's page of a commit ends with its SHA: the same page, for the commit that runs.
        var url = context.CommitUrl is { } eventUrl && context.CommitSha is { } eventSha && eventUrl.EndsWith(eventSha, StringComparison.Ordinal)
            ? eventUrl[..^eventSha.Length] + head
            : null;
        return (head, url);
    }
}
