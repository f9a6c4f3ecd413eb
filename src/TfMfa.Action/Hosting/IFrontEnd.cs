using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Inputs;
using TfMfa.RunLog;

namespace TfMfa.Hosting;

/// <summary>
/// Who the run is for and how to reach the people asked, as a front end knows them.
/// </summary>
/// <param name="Actor">The identity the run belongs to (GITHUB_ACTOR; the local user): a role session without MFA is named after it.</param>
/// <param name="SecretVariables">Variables whose values are secrets wherever they appear: masked before anything else is printed.</param>
/// <param name="Service">The service the run talks to, for messages about it ("GitHub kept failing").</param>
/// <param name="CommitSha">The commit the run checked out, and <paramref name="CommitUrl"/> its page, for the request.</param>
public sealed record RunContext(string Actor, IReadOnlyList<string> SecretVariables, string Service, string? CommitSha = null, string? CommitUrl = null);

/// <summary>How a front end's inputs arrive and where its config lives.</summary>
/// <param name="VariableName">The variable carrying an input (by its GitHub name, <c>working-directory</c>), or null when this front end has no such input.</param>
/// <param name="WorkspaceVariable">The variable naming the checked-out repository (else the current directory).</param>
/// <param name="DefaultConfigPath">The config's path in the repository; the default branch's copy there always counts.</param>
/// <param name="HowToPassKeys">How a user of this front end hands TfMfa the AWS keys, for the error that says they are missing.</param>
public sealed record InputConventions(Func<string, string?> VariableName, string WorkspaceVariable, string DefaultConfigPath, string HowToPassKeys);

/// <summary>
/// One front end of the gate (GitHub Actions, Azure Pipelines, a terminal), chosen in Program.cs
/// from the environment. The core talks to the CI system only through this: the run context, the
/// run log, the default branch's config and the channels codes come through. Each front end states
/// its own conventions; nothing here defaults to one platform.
/// </summary>
public interface IFrontEnd
{
    RunContext Context { get; }

    InputConventions Inputs { get; }

    /// <summary>The AWS keys and MFA device the job handed over (variables; a front end may also know a service connection).</summary>
    AwsSettings Aws(IEnvironment environment) => AwsSettings.Read(environment, Inputs.HowToPassKeys);

    IRunLog Log { get; }

    /// <summary>Made once the inputs are read (a token may come from them).</summary>
    IDefaultBranchConfig DefaultBranch(ActionInputs inputs);

    /// <summary>Where this run's codes come from; made once a run, so every code of the run comes through it.</summary>
    ICodeChannel CodeChannel(ActionInputs inputs, GatePolicy policy);

    /// <summary>
    /// Why the run would execute code from outside the repository (a fork's pull request), or null when
    /// the code is the repository's own: such code gets no MFA credentials unless allow-fork-prs says so.
    /// What cannot be established counts as a fork.
    /// </summary>
    Task<string?> ForeignCodeAsync(ActionInputs inputs, CancellationToken cancellationToken);

    /// <summary>The comment-trigger mode on this platform, or null where it has none (a run then says so and stops).</summary>
    Trigger.ICommentTrigger? CommentTrigger(ActionInputs inputs, GatePolicy policy) => null;

    /// <summary>
    /// The head commit of the pull request the run's event names, and how to check it out, or null
    /// where the event names none: a request may only ever show (and unlock) that commit.
    /// </summary>
    Task<(string Sha, string HowToCheckOut)?> EventPullRequestHeadAsync(ActionInputs inputs, CancellationToken cancellationToken) =>
        Task.FromResult<(string, string)?>(null);
}
