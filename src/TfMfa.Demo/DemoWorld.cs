using System.Reflection;
using System.Text.Json.Nodes;
using TfMfa.StandIns.Aws;
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
        approvers:
          min-permission: write
        wait:
          timeout: 5m
          poll-interval: 1s
        """;

    private DemoWorld(AwsStandIn aws, GitHubStandIn github, ShiftableClock clock, string root)
    {
        Aws = aws;
        GitHub = github;
        Clock = clock;
        Root = root;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        aws.AddBucket("tfstate", requireMfaForWrites: true);
        github.AddUser("alice", "maintain");
        github.AddUser("mallory", "read");
        github.AddPullRequest(PullRequest, HeadSha);
        github.SetFile("main", ".github/tfmfa.yml", Config);

        SampleModule.Write(Path.Combine(Workspace, "infra"), aws.Endpoint, "tfstate", "demo/terraform.tfstate");
        Directory.CreateDirectory(Path.Combine(Workspace, ".github"));
        File.WriteAllText(Path.Combine(Workspace, ".github", "tfmfa.yml"), Config);
        File.WriteAllText(Path.Combine(Root, "terraformrc"), "");
    }

    public AwsStandIn Aws { get; }
    public GitHubStandIn GitHub { get; }
    public ShiftableClock Clock { get; }
    public string Root { get; }
    public IamUser User { get; }
    public VirtualMfaDevice Device { get; }
    public string Workspace => Path.Combine(Root, "workspace");
    public string OutputFile => Path.Combine(Root, "github_output");
    public string SummaryFile => Path.Combine(Root, "step_summary");

    public static async Task<DemoWorld> StartAsync()
    {
        var clock = new ShiftableClock();
        var aws = await AwsStandIn.StartAsync(clock);
        var github = await GitHubStandIn.StartAsync("acme/infra");
        return new DemoWorld(aws, github, clock, Directory.CreateTempSubdirectory("tfmfa-demo-").FullName);
    }

    public string CurrentCode() => Device.CodeAt(Clock.GetUtcNow());

    public string WrongCode() => Device.WrongCodeAt(Clock.GetUtcNow(), from: 314159);

    /// <summary>The variables a runner gives a container action for this job.</summary>
    public Dictionary<string, string?> RunnerEnvironment(string command, string eventName, JsonObject payload)
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
            ["INPUT_ENVIRONMENT"] = "production",
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
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
