using System.Globalization;
using System.Text.Json.Nodes;
using TfMfa.StandIns.GitHub;

namespace TfMfa.StandIns.World;

/// <summary>
/// The GitHub side of a job, laid out as GitHub's runner lays it out: the GitHub stand-in with a
/// pull request and the workflow run, the workspace, the file commands (outputs, step summary),
/// the event that started the run, and the variables the runner gives a step, its inputs among
/// them (<c>INPUT_</c> and the input's name upper-cased: <c>INPUT_WORKING-DIRECTORY</c>).
/// </summary>
public sealed class GitHubWorld
{
    public const string ConfigPath = ".github/tfmfa.yml";

    /// <param name="root">Where the runner's directories go: the workspace, the file commands and the event.</param>
    public GitHubWorld(GitHubStandIn github, string root, int pullRequest, long runId, string headSha)
    {
        GitHub = github;
        Root = root;
        PullRequest = pullRequest;
        RunId = runId;
        HeadSha = headSha;
        Directory.CreateDirectory(Workspace);
        Directory.CreateDirectory(FileCommands);
        Directory.CreateDirectory(WorkflowDirectory);
        github.AddPullRequest(pullRequest, headSha);
        github.AddWorkflowRun(runId);
        WriteEvent("pull_request", PullRequestEvent());
    }

    public GitHubStandIn GitHub { get; }
    public string Root { get; }
    public int PullRequest { get; }
    public long RunId { get; }
    public string HeadSha { get; }
    public string Workspace => Path.Combine(Root, "workspace");
    // The runner's layout, so the same world runs the program directly or in the image
    // (workspace, file commands and workflow are what it mounts under /github).
    public string FileCommands => Path.Combine(Root, "file_commands");
    public string WorkflowDirectory => Path.Combine(Root, "workflow");
    public string OutputFile => Path.Combine(FileCommands, "set_output_5c1b2d");
    public string SummaryFile => Path.Combine(FileCommands, "step_summary_5c1b2d");
    public string EventFile => Path.Combine(WorkflowDirectory, "event.json");
    public string EventName { get; private set; } = "pull_request";

    /// <summary>Who started the run (<c>GITHUB_ACTOR</c>).</summary>
    public string Actor { get; set; } = "octocat";

    /// <summary>The account github-token writes as: the job's token writes as github-actions[bot], a personal access token as its user.</summary>
    public string RequestPoster { get; set; } = GitHubStandIn.ActionsBotLogin;

    /// <summary>A <c>pull_request</c> event for the pull request, from a branch of the repository itself.</summary>
    public JsonObject PullRequestEvent() => new()
    {
        ["number"] = PullRequest,
        ["pull_request"] = new JsonObject
        {
            ["number"] = PullRequest,
            ["head"] = new JsonObject { ["sha"] = HeadSha, ["repo"] = new JsonObject { ["full_name"] = GitHub.FullName } },
            ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = GitHub.FullName } },
        },
    };

    /// <summary>The <c>issue_comment</c> event GitHub sends when <paramref name="comment"/> is written on the pull request: the reply that starts an answering run.</summary>
    public static JsonObject IssueCommentEvent(StoredComment comment, int pullRequest) => new()
    {
        ["action"] = "created",
        ["issue"] = new JsonObject { ["number"] = pullRequest, ["pull_request"] = new JsonObject { ["url"] = $"https://api.github.com/repos/acme/infra/pulls/{pullRequest}" } },
        ["comment"] = new JsonObject
        {
            ["id"] = comment.Id, ["body"] = comment.Body,
            ["user"] = new JsonObject { ["login"] = comment.User.Login, ["type"] = comment.User.IsBot ? "Bot" : "User" },
            ["created_at"] = comment.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["updated_at"] = comment.UpdatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        },
    };

    public void WriteEvent(string eventName, JsonObject payload)
    {
        EventName = eventName;
        Directory.CreateDirectory(WorkflowDirectory);
        File.WriteAllText(EventFile, payload.ToJsonString());
    }

    /// <summary>The same config in the workspace and on the default branch.</summary>
    public void WriteConfig(string yaml)
    {
        WriteWorkspaceConfig(yaml);
        GitHub.SetFile(GitHub.DefaultBranch, ConfigPath, yaml);
    }

    /// <summary>Only the checked-out copy: what a pull request changes.</summary>
    public void WriteWorkspaceConfig(string yaml)
    {
        var path = Path.Combine(Workspace, ConfigPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
    }

    /// <summary>The variable the runner gives an input of the action, by its name in action.yml.</summary>
    public static string InputVariable(string input) => "INPUT_" + input.ToUpperInvariant();

    /// <summary>
    /// The variables the runner gives the action's step, with these inputs (named as in action.yml);
    /// <c>github-token</c>, unset or empty, is the job's token, as action.yml defaults it.
    /// </summary>
    public Dictionary<string, string> Variables(IReadOnlyDictionary<string, string> inputs)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_OUTPUT"] = OutputFile,
            ["GITHUB_STEP_SUMMARY"] = SummaryFile,
            ["GITHUB_ACTOR"] = Actor,
            ["GITHUB_API_URL"] = GitHub.Url,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_REPOSITORY"] = GitHub.FullName,
            ["GITHUB_RUN_ID"] = RunId.ToString(CultureInfo.InvariantCulture),
            ["GITHUB_RUN_ATTEMPT"] = "1",
            ["GITHUB_EVENT_NAME"] = EventName,
            ["GITHUB_EVENT_PATH"] = EventFile,
            ["GITHUB_SHA"] = HeadSha,
        };
        foreach (var (name, value) in inputs) variables[InputVariable(name)] = value;
        if (inputs.GetValueOrDefault("github-token") is null or "") variables[InputVariable("github-token")] = GitHub.Token;
        return variables;
    }

    /// <summary>The request comments TfMfa posted on the pull request, oldest first.</summary>
    public IReadOnlyList<StoredComment> RequestComments() =>
        [.. GitHub.CommentsOn(PullRequest).Where(c => c.User.Login == RequestPoster && c.History[0].Contains("<!-- tfmfa:request", StringComparison.Ordinal))];
}
