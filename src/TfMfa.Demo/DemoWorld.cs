using System.Reflection;
using System.Text.Json.Nodes;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.AzureDevOps;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.World;

namespace TfMfa.Demo;

/// <summary>
/// Everything the demo runs against: the AWS world (a local AWS whose state bucket denies writes
/// without MFA), the GitHub and Azure DevOps worlds sharing one repository checkout, and the people.
/// The same worlds the end-to-end tests and the bench run in.
/// </summary>
public sealed class DemoWorld : IAsyncDisposable
{
    public const int PullRequest = 7;
    public const long RunId = 4711;
    public const long BuildId = 812;
    public const string HeadSha = "a1b2c3d4e5";
    public const string Config = """
        # .github/tfmfa.yml
        environments:
          production:
            level: plans-and-applies
          staging:
            level: applies-only
        approvers:
          min-permission: write
        devices:
          alice: arn:aws:iam::123456789012:mfa/alice
        allow-shared-device: true
        wait:
          timeout: 5m
          poll-interval: 1s
        """;

    public const string AzureConfig = """
        environments:
          production:
            level: plans-and-applies
        devices:
          alice@contoso.com: arn:aws:iam::123456789012:mfa/alice
        allow-shared-device: true
        wait:
          timeout: 5m
          poll-interval: 1s
        """;

    private DemoWorld(AwsWorld aws, GitHubStandIn github, AzureDevOpsStandIn azure, ShiftableClock clock, string root)
    {
        AwsWorld = aws;
        Clock = clock;
        Root = root;
        AliceDevice = aws.Aws.AddVirtualMfaDevice(aws.User, "alice");
        github.AddUser("alice", "maintain");
        github.AddUser("mallory", "read");
        GitHubWorld = new GitHubWorld(github, root, PullRequest, RunId, HeadSha) { Actor = "alice" };
        GitHubWorld.WriteConfig(Config);
        aws.WriteModule(Path.Combine(Workspace, "infra"), "demo/terraform.tfstate");

        azure.AddIdentity("alice@contoso.com", "Alice", allow: 2 | 4);
        azure.AddIdentity("rob@contoso.com", "Rob", allow: 2);
        AzureWorld = new AzureDevOpsWorld(azure, Workspace, Path.Combine(root, "agent_temp"), AzureScene.PullRequest, BuildId);
        AzureWorld.WriteConfig(AzureConfig);
    }

    public static async Task<DemoWorld> StartAsync()
    {
        var clock = new ShiftableClock();
        var root = Directory.CreateTempSubdirectory("tfmfa-demo-").FullName;
        // Run as root, TfMfa runs terraform as another uid, which must be able to enter the workspace.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var aws = await AwsWorld.StartAsync(Path.Combine(root, "home"), clock, clock.Skip, requireMfaForWrites: true);
        return new DemoWorld(aws, await GitHubStandIn.StartAsync("acme/infra"), await AzureDevOpsStandIn.StartAsync(), clock, root);
    }

    public AwsWorld AwsWorld { get; }
    public GitHubWorld GitHubWorld { get; }
    public AzureDevOpsWorld AzureWorld { get; }
    public AwsStandIn Aws => AwsWorld.Aws;
    public GitHubStandIn GitHub => GitHubWorld.GitHub;
    public AzureDevOpsStandIn Azure => AzureWorld.Azure;
    public ShiftableClock Clock { get; }
    public string Root { get; }
    public IamUser User => AwsWorld.User;
    public VirtualMfaDevice Device => AwsWorld.Device;

    /// <summary>alice's own authenticator: devices: in the config sends her codes to STS with this serial.</summary>
    public VirtualMfaDevice AliceDevice { get; }

    /// <summary>One checkout for both platforms: GitHub's workspace is Azure Pipelines' sources directory.</summary>
    public string Workspace => GitHubWorld.Workspace;
    public string OutputFile => GitHubWorld.OutputFile;
    public string SummaryFile => GitHubWorld.SummaryFile;

    /// <summary>What alice's authenticator shows now.</summary>
    public string CurrentCode() => AwsWorld.CurrentCode(AliceDevice);

    public string WrongCode() => AliceDevice.WrongCodeAt(Clock.GetUtcNow(), from: 314159);

    public void NextCodeWindow() => AwsWorld.NextCodeWindow();

    /// <summary>The variables a runner gives a container action for this job (a new step: empty outputs and summary).</summary>
    public Dictionary<string, string?> RunnerEnvironment(string command, string eventName, JsonObject payload, string environmentName = "production")
    {
        GitHubWorld.WriteEvent(eventName, payload);
        File.WriteAllText(OutputFile, "");
        File.WriteAllText(SummaryFile, "");
        var inputs = new Dictionary<string, string> { ["command"] = command, ["environment"] = environmentName, ["working-directory"] = "infra" };
        return JobEnvironment.Isolated(GitHubWorld.Variables(inputs).Concat(AwsWorld.Variables()));
    }

    /// <summary>The variables the Azure Pipelines agent gives the TfMfa@1 task in a pull-request build.</summary>
    public Dictionary<string, string?> AgentEnvironment()
    {
        var inputs = new Dictionary<string, string> { ["command"] = "plan", ["environment"] = "production", ["working-directory"] = "infra" };
        return JobEnvironment.Isolated(AzureWorld.Variables(inputs).Concat(AwsWorld.Variables()));
    }

    public static string ActionProgram => Path.GetFullPath(Path.Combine(
        Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TfMfaActionDirectory").Value!,
        "tfmfa.dll"));

    public static bool TerraformOnPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "terraform")));

    public async ValueTask DisposeAsync()
    {
        await AwsWorld.DisposeAsync();
        await GitHub.DisposeAsync();
        await Azure.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
