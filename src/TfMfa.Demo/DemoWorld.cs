using System.Reflection;
using System.Text.Json.Nodes;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.AzureDevOps;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.Terraform;

namespace TfMfa.Demo;

/// <summary>Everything the demo runs against: a local AWS and GitHub, a repository checkout, and the people.</summary>
public sealed class DemoWorld : IAsyncDisposable
{
    public const int PullRequest = 7;
    public const long RunId = 4711;
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

    private DemoWorld(AwsStandIn aws, GitHubStandIn github, AzureDevOpsStandIn azure, ShiftableClock clock, string root)
    {
        Aws = aws;
        GitHub = github;
        Azure = azure;
        Clock = clock;
        Root = root;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        AliceDevice = aws.AddVirtualMfaDevice(User, "alice");
        aws.AddBucket("tfstate", requireMfaForWrites: true);
        github.AddUser("alice", "maintain");
        github.AddUser("mallory", "read");
        github.AddPullRequest(PullRequest, HeadSha);
        github.SetFile("main", ".github/tfmfa.yml", Config);

        SampleModule.Write(Path.Combine(Workspace, "infra"), aws.Endpoint, "tfstate", "demo/terraform.tfstate");
        Directory.CreateDirectory(Path.Combine(Workspace, ".github"));
        File.WriteAllText(Path.Combine(Workspace, ".github", "tfmfa.yml"), Config);
        File.WriteAllText(Path.Combine(Root, "terraformrc"), "");

        azure.AddIdentity("alice@contoso.com", "Alice", allow: 2 | 4);
        azure.AddIdentity("rob@contoso.com", "Rob", allow: 2);
        azure.AddPullRequest(AzureScene.PullRequest, "dana@contoso.com");
        azure.SetFile("main", ".azuredevops/tfmfa.yml", AzureConfig);
        Directory.CreateDirectory(Path.Combine(Workspace, ".azuredevops"));
        File.WriteAllText(Path.Combine(Workspace, ".azuredevops", "tfmfa.yml"), AzureConfig);
        Directory.CreateDirectory(AgentTemp);
    }

    public AzureDevOpsStandIn Azure { get; }
    public string AgentTemp => Path.Combine(Root, "agent_temp");

    public void NextCodeWindow() => Clock.Skip(TimeSpan.FromSeconds(30));

    /// <summary>The variables the Azure Pipelines agent gives the TfMfa@1 task in a pull-request build.</summary>
    public Dictionary<string, string?> AgentEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("INPUT_", StringComparison.Ordinal))
                environment[name] = null;
        foreach (var (name, value) in new Dictionary<string, string>
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
            ["BUILD_SOURCEVERSION"] = "9c1e5d7f3a2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d",
            ["BUILD_BUILDID"] = "812",
            ["BUILD_REASON"] = "PullRequest",
            ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = AzureScene.PullRequest.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SYSTEM_PULLREQUEST_ISFORK"] = "False",
            ["SYSTEM_JOBATTEMPT"] = "1",
            ["BUILD_REQUESTEDFOREMAIL"] = "dana@contoso.com",
            ["ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN"] = Azure.Token,
            ["INPUT_COMMAND"] = "plan",
            ["INPUT_ENVIRONMENT"] = "production",
            ["INPUT_WORKINGDIRECTORY"] = "infra",
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = Device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = Path.Combine(Root, "terraformrc"),
            ["CHECKPOINT_DISABLE"] = "1",
        }) environment[name] = value;
        return environment;
    }

    public AwsStandIn Aws { get; }
    public GitHubStandIn GitHub { get; }
    public ShiftableClock Clock { get; }
    public string Root { get; }
    public IamUser User { get; }
    public VirtualMfaDevice Device { get; }

    /// <summary>alice's own authenticator: devices: in the config sends her codes to STS with this serial.</summary>
    public VirtualMfaDevice AliceDevice { get; }
    public string Workspace => Path.Combine(Root, "workspace");
    public string OutputFile => Path.Combine(Root, "github_output");
    public string SummaryFile => Path.Combine(Root, "step_summary");

    public static async Task<DemoWorld> StartAsync()
    {
        var clock = new ShiftableClock();
        var aws = await AwsStandIn.StartAsync(clock);
        var github = await GitHubStandIn.StartAsync("acme/infra");
        var azure = await AzureDevOpsStandIn.StartAsync();
        var root = Directory.CreateTempSubdirectory("tfmfa-demo-").FullName;
        // Run as root, TfMfa runs terraform as another uid, which must be able to enter the workspace.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        return new DemoWorld(aws, github, azure, clock, root);
    }

    /// <summary>What alice's authenticator shows now.</summary>
    public string CurrentCode() => AliceDevice.CodeAt(Clock.GetUtcNow());

    public string WrongCode() => AliceDevice.WrongCodeAt(Clock.GetUtcNow(), from: 314159);

    /// <summary>The variables a runner gives a container action for this job.</summary>
    public Dictionary<string, string?> RunnerEnvironment(string command, string eventName, JsonObject payload, string environmentName = "production")
    {
        var eventFile = Path.Combine(Root, $"event-{command}.json");
        File.WriteAllText(eventFile, payload.ToJsonString());
        File.WriteAllText(OutputFile, "");
        File.WriteAllText(SummaryFile, "");
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("INPUT_", StringComparison.Ordinal))
                environment[name] = null;
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_API_URL"] = GitHub.Url,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_REPOSITORY"] = GitHub.FullName,
            ["GITHUB_RUN_ID"] = RunId.ToString(),
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_EVENT_NAME"] = eventName,
            ["GITHUB_EVENT_PATH"] = eventFile,
            ["GITHUB_SHA"] = HeadSha,
            ["GITHUB_ACTOR"] = "alice",
            ["GITHUB_OUTPUT"] = OutputFile,
            ["GITHUB_STEP_SUMMARY"] = SummaryFile,
            ["INPUT_COMMAND"] = command,
            ["INPUT_ENVIRONMENT"] = environmentName,
            ["INPUT_WORKING-DIRECTORY"] = "infra",
            ["INPUT_GITHUB-TOKEN"] = GitHub.Token,
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = Device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = Path.Combine(Root, "terraformrc"),
            ["CHECKPOINT_DISABLE"] = "1",
        }) environment[name] = value;
        return environment;
    }

    public static string ActionProgram => Path.GetFullPath(Path.Combine(
        Assembly.GetExecutingAssembly().GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TfMfaActionDirectory").Value!,
        "tfmfa.dll"));

    public static bool TerraformOnPath =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "terraform")));

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        await GitHub.DisposeAsync();
        await Azure.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
