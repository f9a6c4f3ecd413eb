using TfMfa.Inputs;
using TfMfa.Config;
using TfMfa.RunLog;
using TfMfa.Hosting;
using TfMfa.GitHub;
using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Gate;
using TfMfa.Terraform;

namespace TfMfa.Tests.Gate;

/// <summary>STS that answers from a script: each call takes the next outcome.</summary>
internal sealed class ScriptedSts(params Func<MfaToken?, AwsCredentials>[] outcomes) : IStsClient
{
    private int _next;
    public List<string> Calls { get; } = [];

    public Task<string> GetCallerArnAsync(CancellationToken cancellationToken) => Task.FromResult("arn:aws:iam::123456789012:user/ci");

    public Task<AwsCredentials> GetSessionTokenAsync(MfaToken mfa, TimeSpan duration, CancellationToken cancellationToken) =>
        Answer($"GetSessionToken {mfa.Code.Digits}", mfa);

    public Task<AwsCredentials> AssumeRoleAsync(RoleRequest role, MfaToken? mfa, TimeSpan duration, CancellationToken cancellationToken) =>
        Answer($"AssumeRole {role.RoleArn} {role.SessionName} {mfa?.Code.Digits}", mfa);

    private Task<AwsCredentials> Answer(string call, MfaToken? mfa)
    {
        Calls.Add(call);
        return Task.FromResult(outcomes[Math.Min(_next++, outcomes.Length - 1)](mfa));
    }

    public static AwsCredentials Session(MfaToken? _) =>
        new("ASIAFAKESESSION0000", "fake-session-secret", "fake-session-token", DateTimeOffset.Parse("2026-11-28T13:00:00Z"));

    public static Func<MfaToken?, AwsCredentials> Fails(StsFailureKind kind, string message) =>
        _ => throw new StsException(kind, "Code", message);
}

/// <summary>Codes from a list; once the list is empty it waits until cancelled, like a person who never answers.</summary>
internal sealed class QueuedCodes(params string[] codes) : ICodeChannel, ICodeRequest
{
    private readonly Queue<string> _codes = new(codes);
    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public List<string> Events { get; } = [];

    public Task<ICodeRequest> OpenAsync(CodeRequest request, CancellationToken cancellationToken) => Task.FromResult<ICodeRequest>(this);

    public async Task<SuppliedCode> NextCodeAsync(Attempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.LastRejection is { } rejected) Events.Add($"rejected, {attempt.Left} left");
        Events.Add($"asked {attempt.Number}/{attempt.MaxAttempts}");
        if (_codes.TryDequeue(out var code))
        {
            MfaCode.TryParse(code, out var parsed);
            return new SuppliedCode(parsed!, "alice");
        }
        Waiting.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>When set, the request reads as edited once a code is accepted.</summary>
    public string? RewrittenAfterAuthentication { get; init; }

    public Task<string?> RewrittenAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Events.Contains("authenticated") ? RewrittenAfterAuthentication : null);

    /// <summary>When set, the final word never comes back and ignores its token, like a request that hangs.</summary>
    public bool HangWhenEnded { get; init; }

    public Task CloseAsync(Outcome outcome, CancellationToken cancellationToken)
    {
        if (outcome is Outcome.Authenticated)
        {
            Events.Add("authenticated");
            return Task.CompletedTask;
        }
        Events.Add($"ended {((Outcome.Ended)outcome).End}");
        return HangWhenEnded ? new TaskCompletionSource().Task : Task.CompletedTask;
    }
}

internal sealed class RecordingTerraform(params int[] exitCodes) : ITerraformProcess
{
    public List<TerraformInvocation> Invocations { get; } = [];

    private readonly string _plans = Directory.CreateTempSubdirectory("tfmfa-fake-plans-").FullName;
    private int _planCount;

    public (string Description, IReadOnlyList<string> Limits) Prepare(string workingDirectory) => ("terraform runs as the test's user", []);

    public string NewPlanPath() => Path.Combine(_plans, $"plan-{++_planCount}.tfplan");

    public string Seal(string planFile)
    {
        var sealedPath = Path.Combine(_plans, $"sealed-{++_planCount}.tfplan");
        File.Copy(planFile, sealedPath);
        return sealedPath;
    }

    public async Task<int> RunAsync(TerraformInvocation invocation, OutputReader standardOutput, OutputReader standardError, CancellationToken cancellationToken)
    {
        // The version the request shows: answered, not recorded among the runs that do the work.
        if (invocation.Arguments is ["version", "-json"])
        {
            await Print(standardOutput, "{\"terraform_version\":\"1.11.4\",\"platform\":\"linux_amd64\"}", cancellationToken);
            return 0;
        }
        Invocations.Add(invocation);
        await Print(standardOutput, $"terraform {invocation.Arguments[0]} ran", cancellationToken);
        return exitCodes.Length >= Invocations.Count ? exitCodes[Invocations.Count - 1] : 0;
    }

    private static Task Print(OutputReader output, string line, CancellationToken cancellationToken) =>
        output(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(line + "\n")), cancellationToken);
}

/// <summary>A front end with no default branch whose codes come from <paramref name="codes"/>: the core alone.</summary>
internal sealed class FakeFrontEnd(IRunLog log, ICodeChannel codes, string actor) : IFrontEnd
{
    public RunContext Context { get; } = new(actor, ["AWS_SECRET_ACCESS_KEY"], "the fake platform");
    public InputConventions Inputs => GitHub.GitHubFrontEnd.Conventions;
    public IRunLog Log => log;
    public IDefaultBranchConfig DefaultBranch(ActionInputs inputs) => new NoDefaultBranch();
    public ICodeChannel CodeChannel(ActionInputs inputs, GatePolicy policy) => codes;
    public Task<string?> ForeignCodeAsync(ActionInputs inputs, CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}

/// <summary>
/// The run log as the core sees it: what kind of line, in order. Tests of the core assert these,
/// not any front end's syntax (a workflow command, a logging command).
/// </summary>
internal sealed class RecordingRunLog : TfMfa.RunLog.IRunLog
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lock) return [.. _lines]; } }
    public Dictionary<string, string> Outputs { get; } = [];
    public override string ToString() => string.Join("\n", Lines);

    private void Add(string line) { lock (_lock) _lines.Add(line); }

    public void Mask(string secret) => Add("mask: " + secret);
    public void Info(string message) => Add("info: " + message);
    public void Notice(string message) => Add("notice: " + message);
    public void Warning(string message) => Add("warning: " + message);
    public void Error(string message) => Add("error: " + message);

    public IDisposable Group(string title)
    {
        Add("group: " + title);
        return new Ending(() => Add("end group"));
    }

    public void ToolOutput(string line, bool isError) => Add("tool: " + line);
    public IDisposable ToolOutputSection() => new Ending(() => { });
    public void SetOutput(string name, string value) { lock (_lock) Outputs[name] = value; }
    public void AppendSummary(string markdown) => Add("summary: " + markdown);
    public void Dispose() { }

    private sealed class Ending(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
