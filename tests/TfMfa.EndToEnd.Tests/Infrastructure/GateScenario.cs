using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TfMfa.StandIns.GitHub;
using TfMfa.StandIns.Runner;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// The scenario on GitHub: the AWS world, and the GitHub world (the stand-in with pull request 12,
/// its people and this workflow run; the runner's workspace, file commands and event), with the
/// config in the workspace and on the default branch. A run is the program as the runner starts a
/// step, directly or (<see cref="ContainerAction"/>) in the image.
/// </summary>
public sealed class GateScenario : Scenario
{
    public const int PullRequest = 12;
    public const long RunId = 777;
    public const string HeadSha = "0f3c9a1b2d";
    public const string ProductionConfig = "environments:\n  production:\n    level: plans-and-applies\n";

    private GateScenario(AwsWorld aws, FakeTimeProvider clock, string root, GitHubStandIn github)
        : base(aws, clock, root)
    {
        GitHub = github;
        World = new GitHubWorld(github, root, PullRequest, RunId, HeadSha);
        aws.WriteModule(ModuleDirectory, "gate/terraform.tfstate");
        github.AddUser("alice", "write");
        Inputs["command"] = "plan";
        Inputs["working-directory"] = "infra";
        Inputs["github-token"] = "";
    }

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
        var (aws, clock, root) = await StartAwsAsync("tfmfa-e2e-");
        return new GateScenario(aws, clock, root, await GitHubStandIn.StartAsync());
    }

    public override Platform Platform => Platform.GitHub;
    public GitHubStandIn GitHub { get; }
    public GitHubWorld World { get; }
    public override string Workspace => World.Workspace;
    public string FileCommands => World.FileCommands;
    public string WorkflowDirectory => World.WorkflowDirectory;
    public string OutputFile => World.OutputFile;
    public string SummaryFile => World.SummaryFile;
    public string EventName => World.EventName;

    public override string StartingConfig => ProductionConfig;

    public override void WriteConfig(string yaml) => World.WriteConfig(yaml);

    /// <summary>Only the checked-out copy: what a pull request changes.</summary>
    public void WriteWorkspaceConfig(string yaml) => World.WriteWorkspaceConfig(yaml);

    public void WriteEvent(string eventName, JsonObject payload) => World.WriteEvent(eventName, payload);

    /// <summary>The account github-token writes as: the job's token writes as github-actions[bot], a personal access token as its user.</summary>
    public string RequestPoster
    {
        get => World.RequestPoster;
        set => World.RequestPoster = value;
    }

    public IReadOnlyList<StoredComment> RequestComments() => World.RequestComments();

    /// <summary>The latest request comment the action posted.</summary>
    public StoredComment? RequestComment() => RequestComments().LastOrDefault();

    public override string Login(string person) => person;
    public override string Mention(string person) => "@" + person;

    public override string AddPerson(string person, string permission = "write") => GitHub.AddUser(person, permission).Login;

    public override void AddApproval(string person, string comment) => GitHub.AddApproval(RunId, person, comment, "production");

    public override IReadOnlyList<RequestView> Requests() => [.. RequestComments().Select(c => new RequestView([.. c.History], c.Body, null))];

    public override bool CommentRemoved(string person) => GitHub.CommentsOn(PullRequest).Any(c => c.User.Login == person && c.Deleted);

    protected override void Post(string login, string text) => GitHub.PostComment(PullRequest, login, text);

    public override IReadOnlyList<string> ApiRequests() => [.. GitHub.Requests.Select(r => r.Path)];

    /// <summary>The variables of the step: the runner's, the world's, <see cref="Variables"/>.</summary>
    public Dictionary<string, string> Environment()
    {
        var environment = World.Variables(Inputs);
        foreach (var (name, value) in AwsWorld.Variables()) environment[name] = value;
        environment["USER"] = "alice";
        foreach (var (name, value) in Variables) environment[name] = value;
        return environment;
    }

    /// <summary>Command-line options for the program, as a terminal user would pass them.</summary>
    public List<string> Arguments { get; } = [];

    /// <summary>Run the program as this uid (a non-root user, as on a runner), from a copy of it that user can read.</summary>
    public int? RunAsUser { get; set; }

    /// <summary>Start the program from a Node process that stays its parent, holding the job's whole environment (as the Azure task's Node shim does).</summary>
    public bool UnderParentShell { get; set; }

    public override async Task<ActionResult> RunAsync()
    {
        string? programPath = null;
        if (RunAsUser is not null && !OperatingSystem.IsWindows())
        {
            programPath = CopyProgramForOtherUsers();
            OpenToOtherUsers(Root);
        }
        return await AfterPeopleAsync(await ActionProcess.RunAsync(Environment(), "", RunTimeout, Arguments, RunAsUser, programPath, UnderParentShell));
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

    public override IReadOnlyDictionary<string, string> Outputs() => OutputsFile.Read(OutputFile);

    public override string Summary() => File.Exists(SummaryFile) ? File.ReadAllText(SummaryFile) : "";

    public override void AssertSucceeded(ActionResult run) => Assert.True(run.ExitCode == 0, run.ToString());

    public override void AssertFailed(ActionResult run) => Assert.True(run.ExitCode == 1, run.ToString());

    public override string ErrorLine(string message) => "::error::" + message;

    public override string WarningLine(string message) => "::warning::" + message;

    public override bool IsMaskLine(string line) => line.StartsWith("::add-mask::", StringComparison.Ordinal);

    public override IEnumerable<(string What, string Value)> PlatformSecrets() => [("job token", GitHub.Token)];

    public override IEnumerable<(string Where, string Text)> PlacesTheRunsWrote() =>
        new[] { ("outputs file", File.Exists(OutputFile) ? File.ReadAllText(OutputFile) : ""), ("step summary", Summary()) }
            .Concat(GitHub.CommentsOn(PullRequest).Where(c => c.User.IsBot).SelectMany(c => c.History.Select(body => ($"comment {c.Id} by {c.User.Login}", body))));

    protected override ValueTask DisposePlatformAsync() => GitHub.DisposeAsync();
}
