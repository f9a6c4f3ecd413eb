using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;

namespace TfMfa.Terminal;

/// <summary>A run on a laptop: codes typed at the terminal, no default branch to consult, plain log lines.</summary>
public sealed class TerminalFrontEnd(IEnvironment environment, IRunLog log) : IFrontEnd
{
    /// <summary>
    /// The action's own inputs and config path, so a step can be tried on a laptop by exporting its
    /// <c>INPUT_*</c> variables in the same checkout (options win); the workspace is GITHUB_WORKSPACE
    /// where set, else the current directory.
    /// </summary>
    public static readonly InputConventions Conventions = new(name => "INPUT_" + name.ToUpperInvariant(), "GITHUB_WORKSPACE", ".github/tfmfa.yml",
        "export them in your shell, or run tfmfa through aws-vault exec");

    public InputConventions Inputs => Conventions;

    public RunContext Context { get; } = new(environment.Get("USER") ?? Environment.UserName, AwsSettings.SecretVariables, "this machine");

    public IRunLog Log => log;

    public IDefaultBranchConfig DefaultBranch(ActionInputs inputs) => new NoDefaultBranch();

    public ICodeChannel CodeChannel(ActionInputs inputs, GatePolicy policy) => TerminalCodeChannel.ForConsole(Context.Actor);

    /// <summary>A laptop runs the checkout its user chose.</summary>
    public Task<string?> ForeignCodeAsync(ActionInputs inputs, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
