using CliWrap;
using CliWrap.Buffered;
using Microsoft.Extensions.Time.Testing;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.AzureDevOps;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// One Azure Pipelines world: the AWS stand-in (CI user, its MFA device, a state bucket), the Azure
/// DevOps stand-in with a pull request and its people, a workspace with a terraform module and
/// <c>.azuredevops/tfmfa.yml</c>, and the variables the agent sets for a task. A run is the task as
/// the agent runs it: <c>node index.js</c> from the task folder, which starts the bundled tfmfa.
/// The task folder is the one CI built (<c>TFMFA_TASK_DIR</c>, holding the self-contained binaries
/// of the .vsix), else one made here whose linux-x64 binary starts the program from its build output.
/// </summary>
public sealed class AzureScenario : IAsyncDisposable
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    public const int PullRequest = 31;
    public const long BuildId = 4242;
    public const string SourceVersion = "9c1e5d7f3a2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d";
    public const string Config = "environments:\n  production:\n    level: plans-and-applies\nwait:\n  poll-interval: 1s\n";
    public const string DeniedSeenFile = "denied-seen.txt";

    private readonly List<Task> _people = [];

    private AzureScenario(AwsStandIn aws, AzureDevOpsStandIn azure, FakeTimeProvider clock, string root)
    {
        Aws = aws;
        Azure = azure;
        Clock = clock;
        Root = root;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        Bucket = aws.AddBucket("tfstate");
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(AgentTemp);
        Directory.CreateDirectory(Home);
        SampleModule.Write(ModuleDirectory, aws.Endpoint, Bucket.Name, "azure/terraform.tfstate");
        // What terraform's children could see of the agent's tokens and the task's inputs: names only.
        File.AppendAllText(Path.Combine(ModuleDirectory, "main.tf"), $$"""

            resource "terraform_data" "denied" {
              triggers_replace = [timestamp()]
              provisioner "local-exec" {
                command = "env | grep -E '^(ENDPOINT_|SYSTEM_ACCESSTOKEN|SECRET_|INPUT_)' | cut -d= -f1 > {{DeniedSeenFile}}; true"
              }
            }
            """);
        File.WriteAllText(CliConfigFile, "");
        Alice = azure.AddIdentity("alice@contoso.com", "Alice", allow: 2 | 4);
        PullRequestRecord = azure.AddPullRequest(PullRequest, "dana@contoso.com");
        azure.SetBuild(BuildId);
        WriteConfig(Config);
    }

    public AwsStandIn Aws { get; }
    public AzureDevOpsStandIn Azure { get; }
    public FakeTimeProvider Clock { get; }
    public string Root { get; }
    public IamUser User { get; }
    public VirtualMfaDevice Device { get; }
    public S3Bucket Bucket { get; }
    public AzureIdentity Alice { get; }
    public StoredAzurePullRequest PullRequestRecord { get; }

    /// <summary>A deployment after the merge: no pull request variables, a stage behind an environment's Approvals check.</summary>
    public void AsDeployment(string stage = "deploy")
    {
        Variables["BUILD_REASON"] = "IndividualCI";
        Variables["SYSTEM_PULLREQUEST_PULLREQUESTID"] = "";
        Variables["SYSTEM_PULLREQUEST_ISFORK"] = "";
        Variables["SYSTEM_STAGENAME"] = stage;
        Variables["ENVIRONMENT_NAME"] = "production";
        Inputs["COMMAND"] = "apply";
        // The merge commit this deployment builds is the pull request's.
        PullRequestRecord.MergeCommit = SourceVersion;
        PullRequestRecord.Status = "completed";
    }
    public string Workspace => Path.Combine(Root, "s");
    public string ModuleDirectory => Path.Combine(Workspace, "infra");
    public string AgentTemp => Path.Combine(Root, "_temp");
    public string Home => Path.Combine(Root, "home");
    private string CliConfigFile => Path.Combine(Home, ".terraformrc");

    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal)
    {
        ["COMMAND"] = "plan",
        ["ENVIRONMENT"] = "production",
        ["WORKINGDIRECTORY"] = "infra",
        ["CONFIG"] = ".azuredevops/tfmfa.yml",
    };

    public static async Task<AzureScenario> StartAsync()
    {
        TerraformBinary.Require();
        NodeBinary.Require();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var aws = await AwsStandIn.StartAsync(clock);
        var azure = await AzureDevOpsStandIn.StartAsync();
        return new AzureScenario(aws, azure, clock, Path.Combine(Path.GetTempPath(), "tfmfa-azp-" + Guid.NewGuid().ToString("N")[..12]));
    }

    public void WriteConfig(string yaml)
    {
        var path = Path.Combine(Workspace, ".azuredevops", "tfmfa.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        Azure.SetFile("main", ".azuredevops/tfmfa.yml", yaml);
    }

    public string CurrentCode() => Device.CodeAt(Clock.GetUtcNow());
    public void NextCodeWindow() => Clock.Advance(TimeSpan.FromSeconds(30));
    public string WrongCode() => Device.WrongCodeAt(Clock.GetUtcNow());

    /// <summary>The request threads TfMfa opened, oldest first.</summary>
    public IReadOnlyList<StoredThread> RequestThreads() =>
        [.. Azure.Threads(PullRequest).Where(t => t.Comments.Count > 0 && t.Comments[0].Author.Id == Azure.BuildIdentity.Id
                                                   && t.Comments[0].History[0].Contains("<!-- tfmfa:request", StringComparison.Ordinal))];

    public StoredAzureComment? Request() => RequestThreads().LastOrDefault()?.Comments[0];

    /// <summary>
    /// A person watching the pull request: once a (new) request is there, they post each text as a
    /// new thread, each later one after the request shows the previous code was refused.
    /// </summary>
    public void PersonAnswers(string uniqueName, params Func<string>[] comments) => PersonAnswersRequest(RequestThreads().Count, uniqueName, comments);

    /// <summary>As <see cref="PersonAnswers(string, Func{string}[])"/>, for the request thread with this index (0: the first TfMfa opens), such as an apply's second.</summary>
    public void PersonAnswersRequest(int answered, string uniqueName, params Func<string>[] comments)
    {
        _people.Add(Task.Run(async () =>
        {
            using var patience = new CancellationTokenSource(RunTimeout);
            for (var i = 0; i < comments.Length; i++)
            {
                var refusals = i;
                while (!(RequestThreads().Count > answered
                         && RequestThreads()[answered].Comments[0].History.Count(b => b.Contains("🔴", StringComparison.Ordinal)) >= refusals))
                    await Task.Delay(25, patience.Token);
                Azure.PostThread(PullRequest, uniqueName, comments[i]());
            }
        }));
    }

    /// <summary>
    /// Once <paramref name="refused"/>'s code comment has been dealt with (deleted), <paramref name="uniqueName"/>
    /// answers with the next window's code. Returns a reader for that code.
    /// </summary>
    public Func<string> PersonAnswersOnceRemoved(string uniqueName, string refused)
    {
        var code = "";
        PersonAnswers(uniqueName, () =>
        {
            while (!Azure.Threads(PullRequest).Any(t => t.Comments[0].Author.UniqueName == refused && t.Comments[0].IsDeleted))
                Thread.Sleep(25);
            NextCodeWindow();
            return $"/mfa {code = CurrentCode()}";
        });
        return () => code;
    }

    public void PersonAnswers(string uniqueName, params string[] comments) =>
        PersonAnswers(uniqueName, [.. comments.Select(c => (Func<string>)(() => c))]);

    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TF_BUILD"] = "True",
            ["AGENT_TEMPDIRECTORY"] = AgentTemp,
            ["BUILD_SOURCESDIRECTORY"] = Workspace,
            ["SYSTEM_COLLECTIONURI"] = Azure.CollectionUri,
            ["SYSTEM_TEAMPROJECT"] = AzureDevOpsStandIn.ProjectName,
            ["SYSTEM_TEAMPROJECTID"] = Azure.ProjectId,
            ["BUILD_REPOSITORY_ID"] = Azure.RepositoryId,
            ["BUILD_REPOSITORY_PROVIDER"] = "TfsGit",
            ["BUILD_REPOSITORY_NAME"] = AzureDevOpsStandIn.RepositoryName,
            ["BUILD_SOURCEVERSION"] = SourceVersion,
            ["BUILD_BUILDID"] = BuildId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BUILD_REASON"] = "PullRequest",
            ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = PullRequest.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SYSTEM_PULLREQUEST_ISFORK"] = "False",
            ["SYSTEM_JOBATTEMPT"] = "1",
            ["SYSTEM_STAGENAME"] = "plan",
            ["BUILD_REQUESTEDFOR"] = "Dana",
            ["BUILD_REQUESTEDFOREMAIL"] = "dana@contoso.com",
            [AzureContextNames.JobToken] = Azure.Token,
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = Device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = CliConfigFile,
            ["CHECKPOINT_DISABLE"] = "1",
            ["HOME"] = Home,
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["DOTNET_ROOT"] = System.Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "",
            ["SSL_CERT_FILE"] = System.Environment.GetEnvironmentVariable("SSL_CERT_FILE") ?? "",
        };
        foreach (var (name, value) in Inputs) environment["INPUT_" + name] = value;
        foreach (var (name, value) in Variables) environment[name] = value;
        return environment;
    }

    /// <summary>The task as the agent runs it: node on the shim, in a clean environment of the agent's variables.</summary>
    public async Task<ActionResult> RunAsync()
    {
        var result = await RunTaskAsync(Environment(), RunTimeout);
        var people = _people.ToArray();
        _people.Clear();
        foreach (var person in people)
            if (person.IsFaulted) await person;
        return result;
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

    public IReadOnlyList<AwsRequestRecord> CodesSentToSts => [.. Aws.Requests.Where(r => r.TokenCode is not null)];

    public string Summary() =>
        Directory.EnumerateFiles(AgentTemp, "tfmfa-summary-*.md").Select(File.ReadAllText).FirstOrDefault() ?? "";

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        await Azure.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

internal static class AzureContextNames
{
    public const string JobToken = TfMfa.AzurePipelines.AzureContext.JobTokenVariable;
}

/// <summary>The task folder a run uses: CI's built one (TFMFA_TASK_DIR), else one made once from the repository's shim.</summary>
public static class TaskFolder
{
    private static readonly Lazy<string> Folder = new(Make);

    public static string Path => Folder.Value;

    /// <summary>True when the runs use the .vsix's own self-contained binary.</summary>
    public static bool IsBuilt => System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 };

    private static string Make()
    {
        if (System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 } built)
        {
            if (!File.Exists(System.IO.Path.Combine(built, "bin", "linux-x64", "tfmfa")))
                Assert.Fail($"TFMFA_TASK_DIR={built} has no bin/linux-x64/tfmfa: run azure-pipelines/build-vsix first");
            return built;
        }
        var source = System.IO.Path.Combine(RepositoryRoot.Path, "azure-pipelines", "task");
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tfmfa-task-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(System.IO.Path.Combine(folder, "bin", "linux-x64"));
        File.Copy(System.IO.Path.Combine(source, "index.js"), System.IO.Path.Combine(folder, "index.js"));
        File.Copy(System.IO.Path.Combine(source, "task.json"), System.IO.Path.Combine(folder, "task.json"));
        // The program from its build output, behind the name the shim starts; exec keeps signals direct.
        var binary = System.IO.Path.Combine(folder, "bin", "linux-x64", "tfmfa");
        File.WriteAllText(binary, $"#!/bin/sh\nexec dotnet '{ActionProcess.ProgramPath}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
        return folder;
    }
}
