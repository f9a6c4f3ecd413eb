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
public sealed record RunContext(string Actor, IReadOnlyList<string> SecretVariables);

/// <summary>
/// One front end of the gate (GitHub Actions, a terminal; Azure Pipelines next), chosen in
/// Program.cs from the environment. The core talks to the CI system only through this: the run
/// context, the run log, the default branch's config and the channels codes come through.
/// </summary>
public interface IFrontEnd
{
    RunContext Context { get; }

    IRunLog Log { get; }

    /// <summary>Made once the inputs are read (a token may come from them).</summary>
    IDefaultBranchConfig DefaultBranch(ActionInputs inputs);

    IMfaCodeSource CodeSource(ActionInputs inputs, GatePolicy policy);
}
