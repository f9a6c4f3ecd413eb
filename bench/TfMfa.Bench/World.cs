using System.Globalization;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.World;

namespace TfMfa.Bench;

/// <summary>
/// The AWS and GitHub worlds the end-to-end tests run in, on real time; each run gets its own
/// workflow run id and a fresh MFA device (of a CI user of its own), so no code is ever reused.
/// </summary>
public sealed class World : IAsyncDisposable
{
    public const int PullRequest = 12;
    private int _runs;

    private World(AwsWorld aws, GitHubStandIn github, string root)
    {
        AwsWorld = aws;
        Root = root;
        github.AddUser("alice", "write");
        GitHubWorld = new GitHubWorld(github, root, PullRequest, 1000, "abc123") { Actor = "alice" };
        aws.WriteModule(Path.Combine(Workspace, "infra"), "bench/terraform.tfstate");
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

    public AwsWorld AwsWorld { get; }
    public GitHubWorld GitHubWorld { get; }
    public AwsStandIn Aws => AwsWorld.Aws;
    public GitHubStandIn GitHub => GitHubWorld.GitHub;
    public IamUser User => AwsWorld.User;
    public string Root { get; }
    public string Workspace => GitHubWorld.Workspace;

    public static async Task<World> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("tfmfa-bench-").FullName;
        return new(await AwsWorld.StartAsync(Path.Combine(root, "home")), await GitHubStandIn.StartAsync(), root);
    }

    public void Config(string yaml) => GitHubWorld.WriteConfig(yaml);

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

    /// <summary>
    /// The runner's variables for one run, with a fresh MFA device: the device of a CI user of the
    /// run's own (IAM keeps 8 devices per user), whose keys the run has.
    /// </summary>
    public (Dictionary<string, string?> Environment, VirtualMfaDevice Device) Run(string command, string? pathPrefix = null, IReadOnlyDictionary<string, string>? inputs = null)
    {
        var run = Interlocked.Increment(ref _runs);
        var device = Aws.AddVirtualMfaDevice(Aws.AddUser($"ci-{run}"));
        var allInputs = new Dictionary<string, string> { ["command"] = command, ["working-directory"] = "infra" };
        foreach (var (name, value) in inputs ?? new Dictionary<string, string>()) allInputs[name] = value;
        var variables = GitHubWorld.Variables(allInputs);
        variables["GITHUB_RUN_ID"] = (1000 + run).ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in AwsWorld.Variables(device)) variables[name] = value;
        if (pathPrefix is not null) variables["PATH"] = pathPrefix + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        return (JobEnvironment.Isolated(variables), device);
    }

    public StoredComment? LatestRequest() => GitHubWorld.RequestComments().LastOrDefault();

    public async ValueTask DisposeAsync()
    {
        await AwsWorld.DisposeAsync();
        await GitHub.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
