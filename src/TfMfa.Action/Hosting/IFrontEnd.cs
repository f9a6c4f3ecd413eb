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
/// <param name="Service">The CI service's name, for messages about it ("GitHub kept failing").</param>
/// <param name="CommitSha">The commit the run checked out, and <paramref name="CommitUrl"/> its page, for the request.</param>
public sealed record RunContext(string Actor, IReadOnlyList<string> SecretVariables, string Service = "GitHub", string? CommitSha = null, string? CommitUrl = null);

/// <summary>How a front end's inputs arrive and where its config lives.</summary>
/// <param name="VariableName">The variable carrying an input (by its GitHub name, <c>working-directory</c>), or null when this front end has no such input.</param>
/// <param name="WorkspaceVariable">The variable naming the checked-out repository (else the current directory).</param>
/// <param name="DefaultConfigPath">The config's path in the repository; the default branch's copy there always counts.</param>
public sealed record InputConventions(Func<string, string?> VariableName, string WorkspaceVariable, string DefaultConfigPath)
{
    /// <summary>The runner's: <c>INPUT_WORKING-DIRECTORY</c>, <c>GITHUB_WORKSPACE</c>, <c>.github/tfmfa.yml</c>.</summary>
    public static readonly InputConventions GitHub = new(name => "INPUT_" + name.ToUpperInvariant(), "GITHUB_WORKSPACE", ".github/tfmfa.yml");
}

/// <summary>
/// One front end of the gate (GitHub Actions, a terminal; Azure Pipelines next), chosen in
/// Program.cs from the environment. The core talks to the CI system only through this: the run
/// context, the run log, the default branch's config and the channels codes come through.
/// </summary>
public interface IFrontEnd
{
    RunContext Context { get; }

    InputConventions Inputs => InputConventions.GitHub;

    /// <summary>The AWS keys and MFA device the job handed over (variables; a front end may also know a service connection).</summary>
    AwsSettings Aws(IEnvironment environment) => AwsSettings.Read(environment);

    IRunLog Log { get; }

    /// <summary>Made once the inputs are read (a token may come from them).</summary>
    IDefaultBranchConfig DefaultBranch(ActionInputs inputs);

    IMfaCodeSource CodeSource(ActionInputs inputs, GatePolicy policy);

    /// <summary>
    /// The head commit of the pull request the run's event names, and how to check it out, or null
    /// where the event names none: a request may only ever show (and unlock) that commit.
    /// </summary>
    Task<(string Sha, string HowToCheckOut)?> EventPullRequestHeadAsync(ActionInputs inputs, CancellationToken cancellationToken) =>
        Task.FromResult<(string, string)?>(null);
}
