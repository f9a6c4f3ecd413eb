using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;

namespace TfMfa.Terminal;

/// <summary>A run on a laptop: codes typed at the terminal, no default branch to consult, plain log lines.</summary>
public sealed class TerminalFrontEnd(IEnvironment environment, IRunLog log) : IFrontEnd
{
    public RunContext Context { get; } = new(environment.Get("USER") ?? Environment.UserName, ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);

    public IRunLog Log => log;

    public IDefaultBranchConfig DefaultBranch(ActionInputs inputs) => new NoDefaultBranch();

    public IMfaCodeSource CodeSource(ActionInputs inputs, GatePolicy policy) => TerminalCodeSource.ForConsole(Context.Actor);
}
