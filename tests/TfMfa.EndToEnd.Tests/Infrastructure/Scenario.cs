using Microsoft.Extensions.Time.Testing;
using TfMfa.EndToEnd.AzurePipelines;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// One end-to-end world on either platform: the AWS world (the AWS stand-in with the CI user, its
/// MFA device and the state bucket; terraform's CLI config and a root module) on a fake clock, so a
/// test can step to the next 30-second code, and a platform with a pull request, its people and the
/// variables its runner sets: <see cref="GateScenario"/> on GitHub, <see cref="AzureScenario"/> on
/// Azure DevOps. Both speak one vocabulary: inputs by their names in action.yml, people by their
/// short names (<c>alice</c>), answers through <see cref="PersonAnswers(string, string[])"/>, a run
/// that succeeded or failed as its platform tells it. So a behaviour both platforms share is one
/// theory over <see cref="Infrastructure.Platform"/>.
/// </summary>
public abstract partial class Scenario : IAsyncDisposable
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    protected Scenario(AwsWorld aws, FakeTimeProvider clock, string root)
    {
        AwsWorld = aws;
        Clock = clock;
        Root = root;
    }

    /// <summary>A world whose runs go to the 'production' environment at plans-and-applies (terraform required).</summary>
    public static async Task<Scenario> StartProductionAsync(Platform platform) => platform switch
    {
        Platform.GitHub => await GateScenario.StartProductionAsync(),
        _ => await AzureScenario.StartAsync(),
    };

    /// <summary>The AWS world in a new directory, on a fake clock.</summary>
    protected static async Task<(AwsWorld Aws, FakeTimeProvider Clock, string Root)> StartAwsAsync(string directoryPrefix)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var root = Path.Combine(Path.GetTempPath(), directoryPrefix + Guid.NewGuid().ToString("N")[..12]);
        return (await AwsWorld.StartAsync(Path.Combine(root, "home"), clock, clock.Advance), clock, root);
    }

    public abstract Platform Platform { get; }
    public AwsWorld AwsWorld { get; }
    public AwsStandIn Aws => AwsWorld.Aws;
    public FakeTimeProvider Clock { get; }
    public string Root { get; }
    public IamUser User => AwsWorld.User;
    public VirtualMfaDevice Device => AwsWorld.Device;
    public S3Bucket Bucket => AwsWorld.Bucket;

    /// <summary>The job's home, holding terraform's CLI config (<c>/github/home</c> in the image).</summary>
    public string Home => AwsWorld.Home;

    /// <summary>The checkout: GitHub's workspace, Azure DevOps' sources directory.</summary>
    public abstract string Workspace { get; }

    public string ModuleDirectory => Path.Combine(Workspace, "infra");

    /// <summary>The step's inputs by their names in action.yml (<c>working-directory</c>); each platform gives them its way.</summary>
    public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal);

    /// <summary>More of the job's variables, set last: TF_LOG, a secret the job maps, an empty value for one the job does not set.</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>The code the CI user's device shows now, on the stand-in's clock.</summary>
    public string CurrentCode() => AwsWorld.CurrentCode();

    /// <summary>Moves to the next 30-second window, so the authenticator shows a fresh code.</summary>
    public void NextCodeWindow() => AwsWorld.NextCodeWindow();

    /// <summary>A six-digit code that is valid in none of the windows the stand-in accepts.</summary>
    public string WrongCode() => AwsWorld.WrongCode();

    /// <summary>STS calls that carried an MFA code (the key check before asking is not one).</summary>
    public IReadOnlyList<AwsRequestRecord> CodesSentToSts => AwsWorld.CodesSentToSts;

    public IReadOnlyList<AwsRequestRecord> S3Requests => AwsWorld.S3Requests;

    public IReadOnlyList<AwsRequestRecord> StsCalls(string operation) => AwsWorld.StsCalls(operation);

    /// <summary>The config the world starts with: the 'production' environment at plans-and-applies.</summary>
    public abstract string StartingConfig { get; }

    /// <summary>The same config in the checkout and on the default branch, at the platform's path.</summary>
    public abstract void WriteConfig(string yaml);

    /// <summary>How the platform knows <paramref name="person"/>: a login on GitHub, a uniqueName on Azure DevOps.</summary>
    public abstract string Login(string person);

    /// <summary>How TfMfa names <paramref name="person"/> in a comment (and in some log lines): <c>@alice</c> on GitHub.</summary>
    public abstract string Mention(string person);

    /// <summary>Someone with this permission on the repository (<c>read</c>, <c>write</c>); returns their <see cref="Login"/>.</summary>
    public abstract string AddPerson(string person, string permission = "write");

    /// <summary><paramref name="person"/> approves the run's environment ('production') with this comment.</summary>
    public abstract void AddApproval(string person, string comment);

    /// <summary>The requests for a code TfMfa posted, oldest first.</summary>
    public abstract IReadOnlyList<RequestView> Requests();

    public RequestView? LatestRequest() => Requests().LastOrDefault();

    /// <summary>Whether a comment <paramref name="person"/> wrote on the pull request has been removed.</summary>
    public abstract bool CommentRemoved(string person);

    /// <summary>A new comment on the pull request (on Azure DevOps a new thread), as a person answers.</summary>
    protected abstract void Post(string login, string text);

    /// <summary>The path (and query) of every request the platform's API answered, in order.</summary>
    public abstract IReadOnlyList<string> ApiRequests();

    /// <summary>Runs the step as the platform runs it, until it ends.</summary>
    public abstract Task<ActionResult> RunAsync();

    /// <summary>The step's outputs by their names in action.yml (<c>authenticated-by</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> Outputs();

    public abstract string Summary();

    /// <summary>The step succeeded, as the platform tells it.</summary>
    public abstract void AssertSucceeded(ActionResult run);

    /// <summary>The step failed, as the platform tells it (GitHub: exit 1; Azure Pipelines: exit 0 and a failed task).</summary>
    public abstract void AssertFailed(ActionResult run);

    /// <summary>The log line of an error TfMfa reports.</summary>
    public abstract string ErrorLine(string message);

    /// <summary>The log line of a warning TfMfa reports.</summary>
    public abstract string WarningLine(string message);

    /// <summary>Whether this log line is the platform's command to mask a secret (the runner swallows it).</summary>
    public abstract bool IsMaskLine(string line);

    /// <summary>The platform's own secrets, which no run may show: its token.</summary>
    public abstract IEnumerable<(string What, string Value)> PlatformSecrets();

    /// <summary>Everything the runs wrote besides their log, where a secret must not be: outputs, summary, every version of every comment of TfMfa's.</summary>
    public abstract IEnumerable<(string Where, string Text)> PlacesTheRunsWrote();

    protected abstract ValueTask DisposePlatformAsync();

    public async ValueTask DisposeAsync()
    {
        await AwsWorld.DisposeAsync();
        await DisposePlatformAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
