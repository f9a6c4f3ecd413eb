using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.Runner;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// One end-to-end world: the AWS stand-in with a CI user, its virtual MFA device and a state
/// bucket; the GitHub stand-in with a pull request and its people; a workspace holding a terraform
/// module and a config; and the variables the runner would set. The AWS stand-in's clock is fake,
/// so a test can step to the next 30-second code.
/// </summary>
public sealed class GateScenario : IAsyncDisposable
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    public const int PullRequest = 12;
    public const long RunId = 777;
    public const string HeadSha = "0f3c9a1b2d";

    private readonly List<Task> _people = [];

    private GateScenario(AwsStandIn aws, GitHubStandIn github, FakeTimeProvider clock, string root)
    {
        Aws = aws;
        GitHub = github;
        Clock = clock;
        Root = root;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        Bucket = aws.AddBucket("tfstate");
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(FileCommands);
        Directory.CreateDirectory(WorkflowDirectory);
        Directory.CreateDirectory(Home);
        SampleModule.Write(ModuleDirectory, aws.Endpoint, Bucket.Name, "gate/terraform.tfstate");
        File.WriteAllText(CliConfigFile, "");
        github.AddUser("alice", "write");
        github.AddPullRequest(PullRequest, HeadSha);
        github.AddWorkflowRun(RunId);
        WriteEvent("pull_request", new JsonObject
        {
            ["number"] = PullRequest,
            ["pull_request"] = new JsonObject
            {
                ["number"] = PullRequest,
                ["head"] = new JsonObject { ["sha"] = HeadSha, ["repo"] = new JsonObject { ["full_name"] = github.FullName } },
                ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = github.FullName } },
            },
        });
    }

    public AwsStandIn Aws { get; }
    public GitHubStandIn GitHub { get; }
    public FakeTimeProvider Clock { get; }
    public string Root { get; }
    public IamUser User { get; }
    public VirtualMfaDevice Device { get; }
    public S3Bucket Bucket { get; }
    public string Workspace => Path.Combine(Root, "workspace");
    public string ModuleDirectory => Path.Combine(Workspace, "infra");
    // The runner's layout, so the same world runs the program directly or in the image
    // (workspace, file commands, workflow and home are what it mounts under /github).
    public string FileCommands => Path.Combine(Root, "file_commands");
    public string WorkflowDirectory => Path.Combine(Root, "workflow");
    public string Home => Path.Combine(Root, "home");
    public string OutputFile => Path.Combine(FileCommands, "set_output_5c1b2d");
    public string SummaryFile => Path.Combine(FileCommands, "step_summary_5c1b2d");
    private string EventFile => Path.Combine(WorkflowDirectory, "event.json");
    private string CliConfigFile => Path.Combine(Home, ".terraformrc");

    /// <summary>On a runner (the default) codes come from GitHub; locally they are typed on standard input.</summary>
    public bool OnRunner { get; set; } = true;

    public string EventName { get; private set; } = "pull_request";

    /// <summary>More variables for the job, such as TF_LOG.</summary>
    public Dictionary<string, string> ExtraEnvironment { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal)
    {
        ["command"] = "plan",
        ["working-directory"] = "infra",
        ["github-token"] = "",
    };

    public const string ProductionConfig = "environments:\n  production:\n    level: plans-and-applies\n";

    /// <summary>A scenario whose runs go to the 'production' environment at plans-and-applies (terraform required).</summary>
    public static async Task<GateScenario> StartProductionAsync()
    {
        TerraformBinary.Require();
        var scenario = await StartAsync();
        scenario.WriteConfig(ProductionConfig);
        scenario.Inputs["environment"] = "production";
        return scenario;
    }

    public static async Task<GateScenario> StartAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var aws = await AwsStandIn.StartAsync(clock);
        var github = await GitHubStandIn.StartAsync();
        var root = Path.Combine(Path.GetTempPath(), "tfmfa-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        return new GateScenario(aws, github, clock, root);
    }

    /// <summary>The same config in the workspace and on the default branch.</summary>
    public void WriteConfig(string yaml)
    {
        WriteWorkspaceConfig(yaml);
        GitHub.SetFile(GitHub.DefaultBranch, ".github/tfmfa.yml", yaml);
    }

    /// <summary>Only the checked-out copy: what a pull request changes.</summary>
    public void WriteWorkspaceConfig(string yaml)
    {
        var path = Path.Combine(Workspace, ".github", "tfmfa.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
    }

    public void WriteEvent(string eventName, JsonObject payload)
    {
        EventName = eventName;
        Directory.CreateDirectory(WorkflowDirectory);
        File.WriteAllText(EventFile, payload.ToJsonString());
    }

    /// <summary>The code the device shows now, on the stand-in's clock.</summary>
    public string CurrentCode() => Device.CodeAt(Clock.GetUtcNow());

    /// <summary>Moves to the next 30-second window, so the authenticator shows a fresh code.</summary>
    public void NextCodeWindow() => Clock.Advance(TimeSpan.FromSeconds(30));

    /// <summary>A six-digit code that is valid in none of the windows the stand-in accepts.</summary>
    public string WrongCode() => Device.WrongCodeAt(Clock.GetUtcNow()); // 902174.. is not in the account id, so leak checks stay meaningful

    /// <summary>
    /// A person who watches the pull request: once the run's request comment is there, they post each
    /// comment in turn, waiting before each later one until the request shows the previous code was refused.
    /// </summary>
    public void PersonAnswers(string login, params string[] comments)
    {
        // The request this person answers is the next one the action posts.
        var answered = RequestComments().Count;
        _people.Add(Task.Run(async () =>
        {
            using var patience = new CancellationTokenSource(RunTimeout);
            for (var i = 0; i < comments.Length; i++)
            {
                var refusals = i;
                await WaitUntilAsync(() => RequestComments().Count > answered
                    && RequestComments()[answered].History.Count(b => b.Contains("🔴", StringComparison.Ordinal)) >= refusals, patience.Token);
                GitHub.PostComment(PullRequest, login, comments[i]);
            }
        }));
    }

    /// <summary>
    /// An apply under plans-and-applies asks twice: <paramref name="login"/> answers the first request
    /// with the code <paramref name="device"/> shows now and, once the second request (the one showing
    /// the plan) is up, moves to the next 30-second window and answers with that code. Returns both codes.
    /// </summary>
    public (string PlanCode, string ApplyCode) PersonAnswersBothCodes(string login, VirtualMfaDevice? device = null)
    {
        device ??= Device;
        var first = device.CodeAt(Clock.GetUtcNow());
        var second = device.CodeAt(Clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        var answered = RequestComments().Count;
        _people.Add(Task.Run(async () =>
        {
            using var patience = new CancellationTokenSource(RunTimeout);
            await WaitUntilAsync(() => RequestComments().Count > answered, patience.Token);
            GitHub.PostComment(PullRequest, login, $"/mfa {first}");
            await WaitUntilAsync(() => RequestComments().Count > answered + 1, patience.Token);
            NextCodeWindow();
            GitHub.PostComment(PullRequest, login, $"/mfa {second}");
        }));
        return (first, second);
    }

    /// <summary>The account github-token writes as: the job's token writes as github-actions[bot], a personal access token as its user.</summary>
    public string RequestPoster { get; set; } = GitHubStandIn.ActionsBotLogin;

    public IReadOnlyList<StoredComment> RequestComments() =>
        [.. GitHub.CommentsOn(PullRequest).Where(c => c.User.Login == RequestPoster && c.History[0].Contains("<!-- tfmfa:request", StringComparison.Ordinal))];

    /// <summary>The latest request comment the action posted.</summary>
    public StoredComment? RequestComment() => RequestComments().LastOrDefault();

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(25, cancellationToken);
    }

    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_WORKSPACE"] = Workspace,
            ["USER"] = "alice",
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = Device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = CliConfigFile,
            ["CHECKPOINT_DISABLE"] = "1",
        };
        if (OnRunner)
        {
            environment["GITHUB_ACTIONS"] = "true";
            environment["GITHUB_OUTPUT"] = OutputFile;
            environment["GITHUB_STEP_SUMMARY"] = SummaryFile;
            environment["GITHUB_ACTOR"] = "octocat";
            environment["GITHUB_API_URL"] = GitHub.Url;
            environment["GITHUB_SERVER_URL"] = "https://github.com";
            environment["GITHUB_REPOSITORY"] = GitHub.FullName;
            environment["GITHUB_RUN_ID"] = RunId.ToString();
            environment["GITHUB_RUN_ATTEMPT"] = "1";
            environment["GITHUB_EVENT_NAME"] = EventName;
            environment["GITHUB_EVENT_PATH"] = EventFile;
            environment["GITHUB_SHA"] = HeadSha;
        }
        foreach (var (name, value) in Inputs) environment["INPUT_" + name.ToUpperInvariant()] = value;
        foreach (var (name, value) in ExtraEnvironment) environment[name] = value;
        if (OnRunner && Inputs["github-token"].Length == 0) environment["INPUT_GITHUB-TOKEN"] = GitHub.Token;
        return environment;
    }

    /// <summary>Command-line options for the program, as a terminal user would pass them.</summary>
    public List<string> Arguments { get; } = [];

    /// <summary>Run the program as this uid (a non-root user, as on a runner), from a copy of it that user can read.</summary>
    public int? RunAsUser { get; set; }

    /// <summary>Start the program from a Node process that stays its parent, holding the job's whole environment (as the Azure task's Node shim does).</summary>
    public bool UnderParentShell { get; set; }

    /// <summary>Runs the program; <paramref name="typedCodes"/> go to standard input (for local runs).</summary>
    public async Task<ActionResult> RunAsync(params string[] typedCodes)
    {
        string? programPath = null;
        if (RunAsUser is not null && !OperatingSystem.IsWindows())
        {
            programPath = CopyProgramForOtherUsers();
            OpenToOtherUsers(Root);
        }
        var result = await ActionProcess.RunAsync(Environment(), string.Concat(typedCodes.Select(c => c + "\n")), RunTimeout, Arguments, RunAsUser, programPath, UnderParentShell);
        var people = _people.ToArray();
        _people.Clear();
        foreach (var person in people)
            if (person.IsFaulted) await person; // surface a person who never got to answer
        return result;
    }

    private string CopyProgramForOtherUsers()
    {
        var source = Path.GetDirectoryName(ActionProcess.ProgramPath)!;
        var target = Path.Combine(Root, "program");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
        return Path.Combine(target, Path.GetFileName(ActionProcess.ProgramPath));
    }

    /// <summary>The scenario's files were made by the test's user; the other user must read and write them.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void OpenToOtherUsers(string directory)
    {
        const UnixFileMode readWrite = (UnixFileMode)0b110_110_110;
        const UnixFileMode execute = (UnixFileMode)0b001_001_001;
        File.SetUnixFileMode(directory, readWrite | execute);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            var executable = Directory.Exists(entry) || (File.GetUnixFileMode(entry) & UnixFileMode.UserExecute) != 0;
            File.SetUnixFileMode(entry, executable ? readWrite | execute : readWrite);
        }
    }

    public IReadOnlyDictionary<string, string> Outputs() => OutputsFile.Read(OutputFile);

    public string Summary() => File.Exists(SummaryFile) ? File.ReadAllText(SummaryFile) : "";

    public IReadOnlyList<AwsRequestRecord> S3Requests => [.. Aws.Requests.Where(r => r.Service == "s3")];

    /// <summary>STS calls that carried an MFA code (the key check before asking is not one).</summary>
    public IReadOnlyList<AwsRequestRecord> CodesSentToSts => [.. Aws.Requests.Where(r => r.TokenCode is not null)];

    public IReadOnlyList<AwsRequestRecord> StsCalls(string operation) => [.. Aws.Requests.Where(r => r.Service == "sts" && r.Operation == operation)];

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        await GitHub.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
