using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Time.Testing;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.AzureDevOps;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// The scenario on Azure Pipelines: the AWS world, and the Azure DevOps world (the stand-in with
/// pull request 31, its people and the build; the agent's sources and temp directories) with
/// <c>.azuredevops/tfmfa.yml</c>; the module also records which of the agent's variables terraform's
/// children could see. A run is the task as the agent runs it: <c>node index.js</c> from the task
/// folder, which starts the bundled tfmfa, in a clean environment of the agent's variables. The task
/// folder is the one CI built (<c>TFMFA_TASK_DIR</c>, holding the self-contained binaries of the
/// .vsix), else one made here whose linux-x64 binary starts the program from its build output.
/// </summary>
public sealed class AzureScenario : Scenario
{
    public const int PullRequest = 31;
    public const long BuildId = 4242;
    public const string SourceVersion = AzureDevOpsWorld.SourceVersion;
    public const string Config = "environments:\n  production:\n    level: plans-and-applies\nwait:\n  poll-interval: 1s\n";
    public const string DeniedSeenFile = "denied-seen.txt";

    /// <summary>What the runs printed, from which <see cref="Outputs"/> reads the output variables they set.</summary>
    private string _log = "";

    /// <summary>The stage a deployment runs in (<see cref="AsDeployment"/>), whose approvals <see cref="AddApproval"/> gives.</summary>
    private string _stage = "deploy";

    private AzureScenario(AwsWorld aws, FakeTimeProvider clock, string root, AzureDevOpsStandIn azure)
        : base(aws, clock, root)
    {
        Azure = azure;
        Alice = azure.AddIdentity("alice@contoso.com", "Alice", allow: 2 | 4);
        World = new AzureDevOpsWorld(azure, Path.Combine(root, "s"), Path.Combine(root, "_temp"), PullRequest, BuildId);
        aws.WriteModule(ModuleDirectory, "azure/terraform.tfstate");
        // What terraform's children could see of the agent's tokens and the task's inputs: names only.
        File.AppendAllText(Path.Combine(ModuleDirectory, "main.tf"), $$"""

            resource "terraform_data" "denied" {
              triggers_replace = [timestamp()]
              provisioner "local-exec" {
                command = "env | grep -E '^(ENDPOINT_|SYSTEM_ACCESSTOKEN|SECRET_|INPUT_)' | cut -d= -f1 > {{DeniedSeenFile}}; true"
              }
            }
            """);
        WriteConfig(Config);
        Inputs["command"] = "plan";
        Inputs["environment"] = "production";
        Inputs["working-directory"] = "infra";
        Inputs["config"] = AzureDevOpsWorld.ConfigPath;
    }

    public static async Task<AzureScenario> StartAsync()
    {
        TerraformBinary.Require();
        NodeBinary.Require();
        var (aws, clock, root) = await StartAwsAsync("tfmfa-azp-");
        return new AzureScenario(aws, clock, root, await AzureDevOpsStandIn.StartAsync());
    }

    public override Platform Platform => Platform.AzureDevOps;
    public AzureDevOpsStandIn Azure { get; }
    public AzureDevOpsWorld World { get; }
    public AzureIdentity Alice { get; }
    public StoredAzurePullRequest PullRequestRecord => World.PullRequestRecord;
    public override string Workspace => World.Workspace;
    public string AgentTemp => World.AgentTemp;

    /// <summary>A deployment after the merge: no pull request variables, a stage behind an environment's Approvals check.</summary>
    public void AsDeployment(string stage = "deploy")
    {
        _stage = stage;
        Variables["BUILD_REASON"] = "IndividualCI";
        Variables["SYSTEM_PULLREQUEST_PULLREQUESTID"] = "";
        Variables["SYSTEM_PULLREQUEST_ISFORK"] = "";
        Variables["SYSTEM_STAGENAME"] = stage;
        Variables["ENVIRONMENT_NAME"] = "production";
        Inputs["command"] = "apply";
        // The merge commit this deployment builds is the pull request's.
        PullRequestRecord.MergeCommit = SourceVersion;
        PullRequestRecord.Status = "completed";
    }

    public override string StartingConfig => Config;

    public override void WriteConfig(string yaml) => World.WriteConfig(yaml);

    /// <summary>The request threads TfMfa opened, oldest first.</summary>
    public IReadOnlyList<StoredThread> RequestThreads() => World.RequestThreads();

    /// <summary>The latest request: the first comment of the latest request thread.</summary>
    public StoredAzureComment? Request() => RequestThreads().LastOrDefault()?.Comments[0];

    /// <summary>A uniqueName: a bare name is a person at contoso.com.</summary>
    public override string Login(string person) => person.Contains('@', StringComparison.Ordinal) ? person : person + "@contoso.com";

    public override string Mention(string person) => Login(person);

    /// <summary>Git Repositories permissions: read is Read; write, maintain and admin are Read and Contribute.</summary>
    public override string AddPerson(string person, string permission = "write") =>
        Azure.AddIdentity(Login(person), char.ToUpperInvariant(person[0]) + person.Split('@')[0][1..], allow: permission == "read" ? 2 : 2 | 4).UniqueName;

    /// <summary>An approval of the deployment's stage (see <see cref="AsDeployment"/>): the environment's Approvals check.</summary>
    public override void AddApproval(string person, string comment) => Azure.AddApproval(_stage, BuildId, Login(person), comment);

    public override IReadOnlyList<RequestView> Requests() =>
        [.. RequestThreads().Select(t => new RequestView([.. t.Comments[0].History], t.Comments[0].Content, t.Status))];

    public override bool CommentRemoved(string person) =>
        Azure.Threads(PullRequest).Any(t => t.Comments[0].Author.UniqueName == Login(person) && t.Comments[0].IsDeleted);

    protected override void Post(string login, string text) => Azure.PostThread(PullRequest, login, text);

    public override IReadOnlyList<string> ApiRequests() => [.. Azure.Requests.Select(r => r.PathAndQuery)];

    /// <summary>The agent's variables for the task: the world's, the agent process's own, <see cref="Variables"/>.</summary>
    public Dictionary<string, string> Environment()
    {
        var environment = World.Variables(Inputs);
        foreach (var (name, value) in AwsWorld.Variables()) environment[name] = value;
        environment["HOME"] = Home;
        environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        environment["DOTNET_ROOT"] = System.Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "";
        environment["SSL_CERT_FILE"] = System.Environment.GetEnvironmentVariable("SSL_CERT_FILE") ?? "";
        foreach (var (name, value) in Variables) environment[name] = value;
        return environment;
    }

    /// <summary>The task as the agent runs it: node on the shim, in a clean environment of the agent's variables.</summary>
    public override async Task<ActionResult> RunAsync()
    {
        var run = await RunTaskAsync(Environment(), RunTimeout);
        _log += run.StandardOutput;
        return await AfterPeopleAsync(run);
    }

    public static async Task<ActionResult> RunTaskAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // Only what the agent would set: nothing of the test runner's own environment.
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>()) variables[name] = null;
        foreach (var (name, value) in environment) variables[name] = value.Length == 0 ? null : value;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var result = await Cli.Wrap(NodeBinary.Path!)
            .WithArguments([Path.Combine(TaskFolder.Path, "index.js")])
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(limit.Token);
        return new ActionResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    public IReadOnlyList<string> DeniedVariablesTerraformSaw() =>
        File.ReadAllLines(Path.Combine(ModuleDirectory, DeniedSeenFile)).Where(l => l.Length > 0).ToList();

    public override IReadOnlyDictionary<string, string> Outputs() => AzureDevOpsWorld.Outputs(_log);

    public override string Summary() => World.Summary();

    public override void AssertSucceeded(ActionResult run) =>
        Assert.True(run.ExitCode == 0 && !run.StandardOutput.Contains("result=Failed", StringComparison.Ordinal), run.ToString());

    /// <summary>The task fails; it exits 0 all the same, since the agent calls a non-zero exit an infrastructure failure.</summary>
    public override void AssertFailed(ActionResult run) =>
        Assert.True(run.ExitCode == 0 && run.StandardOutput.Contains("##vso[task.complete result=Failed;]", StringComparison.Ordinal), run.ToString());

    public override string ErrorLine(string message) => "##vso[task.logissue type=error;]" + message;

    public override string WarningLine(string message) => "##vso[task.logissue type=warning;]" + message;

    public override bool IsMaskLine(string line) => line.StartsWith("##vso[task.setsecret]", StringComparison.Ordinal);

    public override IEnumerable<(string What, string Value)> PlatformSecrets() => [("job token", Azure.Token)];

    public override IEnumerable<(string Where, string Text)> PlacesTheRunsWrote() =>
        new[] { ("summary", Summary()) }
            .Concat(Azure.Threads(PullRequest).SelectMany(t => t.Comments)
                .Where(c => c.Author.Id == Azure.BuildIdentity.Id)
                .SelectMany(c => c.History.Select(h => ($"comment by the task {c.Id}", h))));

    protected override ValueTask DisposePlatformAsync() => Azure.DisposeAsync();
}

internal static class AzureContextNames
{
    public const string JobToken = TfMfa.AzurePipelines.AzureContext.JobTokenVariable;
}

