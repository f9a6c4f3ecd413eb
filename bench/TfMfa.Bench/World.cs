using System.Text.Json.Nodes;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.Terraform;

namespace TfMfa.Bench;

/// <summary>Both stand-ins and a workspace, as a runner would see them; each run gets a fresh MFA device so no code is ever reused.</summary>
public sealed class World : IAsyncDisposable
{
    public const int PullRequest = 12;
    private int _runs;

    private World(AwsStandIn aws, GitHubStandIn github, string root)
    {
        Aws = aws;
        GitHub = github;
        Root = root;
        User = aws.AddUser("ci");
        aws.AddBucket("tfstate");
        github.AddUser("alice", "write");
        github.AddPullRequest(PullRequest, "abc123");
        Directory.CreateDirectory(Path.Combine(Workspace, ".github"));
        SampleModule.Write(Path.Combine(Workspace, "infra"), aws.Endpoint, "tfstate", "bench/terraform.tfstate");
        File.WriteAllText(Path.Combine(root, "terraformrc"), "");
        File.WriteAllText(Path.Combine(root, "event.json"), new JsonObject
        {
            ["pull_request"] = new JsonObject
            {
                ["number"] = PullRequest,
                ["head"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = github.FullName } },
                ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = github.FullName } },
            },
        }.ToJsonString());
        if (!OperatingSystem.IsWindows()) OpenToOtherUsers(root);
    }

    /// <summary>As root, TfMfa runs terraform as another uid (its walls): that uid must reach and write the workspace.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void OpenToOtherUsers(string directory)
    {
        const UnixFileMode readWrite = (UnixFileMode)0b110_110_110;
        const UnixFileMode execute = (UnixFileMode)0b001_001_001;
        File.SetUnixFileMode(directory, readWrite | execute);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? readWrite | execute : readWrite);
    }

    public AwsStandIn Aws { get; }
    public GitHubStandIn GitHub { get; }
    public IamUser User { get; }
    public string Root { get; }
    public string Workspace => Path.Combine(Root, "workspace");

    public static async Task<World> StartAsync() =>
        new(await AwsStandIn.StartAsync(), await GitHubStandIn.StartAsync(), Directory.CreateTempSubdirectory("tfmfa-bench-").FullName);

    public void Config(string yaml)
    {
        File.WriteAllText(Path.Combine(Workspace, ".github", "tfmfa.yml"), yaml);
        GitHub.SetFile("main", ".github/tfmfa.yml", yaml);
    }

    /// <summary>A terraform on PATH that runs <paramref name="script"/> for plan/apply; init is instant.</summary>
    public string FakeTerraform(string script)
    {
        var bin = Path.Combine(Root, $"bin-{Guid.NewGuid():N}");
        Directory.CreateDirectory(bin);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(bin, (UnixFileMode)0b111_101_101);
        var path = Path.Combine(bin, "terraform");
        File.WriteAllText(path, $"#!/bin/sh\nif [ \"$1\" = init ]; then exit 0; fi\n{script}\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return bin;
    }

    /// <summary>The runner's variables for one run, with a fresh MFA device.</summary>
    public (Dictionary<string, string?> Environment, VirtualMfaDevice Device) Run(string command, string? pathPrefix = null, IReadOnlyDictionary<string, string>? inputs = null)
    {
        var device = Aws.AddVirtualMfaDevice(User, $"ci-{Interlocked.Increment(ref _runs)}");
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (name.StartsWith("AWS_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("INPUT_", StringComparison.Ordinal))
                environment[name] = null;
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true", ["GITHUB_WORKSPACE"] = Workspace, ["GITHUB_API_URL"] = GitHub.Url,
            ["GITHUB_SERVER_URL"] = "https://github.com", ["GITHUB_REPOSITORY"] = GitHub.FullName, ["GITHUB_RUN_ID"] = (1000 + _runs).ToString(),
            ["GITHUB_RUN_ATTEMPT"] = "1", ["GITHUB_EVENT_NAME"] = "pull_request", ["GITHUB_EVENT_PATH"] = Path.Combine(Root, "event.json"),
            ["GITHUB_SHA"] = "abc123", ["GITHUB_ACTOR"] = "alice", ["GITHUB_OUTPUT"] = Path.Combine(Root, "output"), ["GITHUB_STEP_SUMMARY"] = Path.Combine(Root, "summary"),
            ["INPUT_COMMAND"] = command, ["INPUT_WORKING-DIRECTORY"] = "infra", ["INPUT_GITHUB-TOKEN"] = GitHub.Token,
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId, ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey, ["AWS_MFA_SERIAL_NUMBER"] = device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint, ["AWS_EC2_METADATA_DISABLED"] = "true", ["TF_CLI_CONFIG_FILE"] = Path.Combine(Root, "terraformrc"),
            ["CHECKPOINT_DISABLE"] = "1",
        }) environment[name] = value;
        foreach (var (name, value) in inputs ?? new Dictionary<string, string>()) environment["INPUT_" + name.ToUpperInvariant()] = value;
        if (pathPrefix is not null) environment["PATH"] = pathPrefix + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        return (environment, device);
    }

    public StoredComment? LatestRequest() =>
        GitHub.CommentsOn(PullRequest).LastOrDefault(c => c.User.IsBot && c.History[0].Contains("<!-- tfmfa:request", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        await GitHub.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
