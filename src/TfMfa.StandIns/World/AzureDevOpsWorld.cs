using System.Globalization;
using TfMfa.StandIns.AzureDevOps;

namespace TfMfa.StandIns.World;

/// <summary>
/// The Azure DevOps side of a job: the Azure DevOps stand-in with a pull request and the build, the
/// sources directory, the agent's temp directory (where the step summary goes), and the variables
/// the agent gives the TfMfa@1 task in a pull-request build, its inputs among them (<c>INPUT_</c>
/// and the input's name in task.json upper-cased: <c>INPUT_WORKINGDIRECTORY</c>).
/// </summary>
public sealed class AzureDevOpsWorld
{
    public const string ConfigPath = ".azuredevops/tfmfa.yml";

    /// <summary>Where the agent puts the job's access token (System.AccessToken), which the task reads.</summary>
    public const string JobTokenVariable = "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN";

    public const string SourceVersion = "9c1e5d7f3a2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d";
    public const string PullRequestAuthor = "dana@contoso.com";

    /// <param name="workspace">The sources directory (<c>Build.SourcesDirectory</c>).</param>
    /// <param name="agentTemp">The agent's temp directory (<c>Agent.TempDirectory</c>).</param>
    public AzureDevOpsWorld(AzureDevOpsStandIn azure, string workspace, string agentTemp, int pullRequest, long buildId)
    {
        Azure = azure;
        Workspace = workspace;
        AgentTemp = agentTemp;
        PullRequest = pullRequest;
        BuildId = buildId;
        Directory.CreateDirectory(workspace);
        Directory.CreateDirectory(agentTemp);
        PullRequestRecord = azure.AddPullRequest(pullRequest, PullRequestAuthor);
        azure.SetBuild(buildId);
    }

    public AzureDevOpsStandIn Azure { get; }
    public string Workspace { get; }
    public string AgentTemp { get; }
    public int PullRequest { get; }
    public long BuildId { get; }
    public StoredAzurePullRequest PullRequestRecord { get; }

    /// <summary>The same config in the sources and on the default branch.</summary>
    public void WriteConfig(string yaml)
    {
        var path = Path.Combine(Workspace, ConfigPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        Azure.SetFile("main", ConfigPath, yaml);
    }

    /// <summary>
    /// The variable the agent gives an input, by the action's name for it (action.yml): task.json
    /// names it in camel case (<c>working-directory</c> is <c>workingDirectory</c>), and
    /// <c>issue-number</c> is <c>pullRequestId</c>.
    /// </summary>
    public static string InputVariable(string input) => input switch
    {
        "issue-number" => "INPUT_PULLREQUESTID",
        _ => "INPUT_" + input.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant(),
    };

    /// <summary>The variables the agent gives the task in a pull-request build, with these inputs (named as in action.yml).</summary>
    public Dictionary<string, string> Variables(IReadOnlyDictionary<string, string> inputs)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
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
            ["BUILD_BUILDID"] = BuildId.ToString(CultureInfo.InvariantCulture),
            ["BUILD_REASON"] = "PullRequest",
            ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = PullRequest.ToString(CultureInfo.InvariantCulture),
            ["SYSTEM_PULLREQUEST_ISFORK"] = "False",
            ["SYSTEM_JOBATTEMPT"] = "1",
            ["SYSTEM_STAGENAME"] = "plan",
            ["BUILD_REQUESTEDFOR"] = "Dana",
            ["BUILD_REQUESTEDFOREMAIL"] = PullRequestAuthor,
            [JobTokenVariable] = Azure.Token,
        };
        foreach (var (name, value) in inputs) variables[InputVariable(name)] = value;
        return variables;
    }

    /// <summary>The request threads TfMfa opened, oldest first.</summary>
    public IReadOnlyList<StoredThread> RequestThreads() =>
        [.. Azure.Threads(PullRequest).Where(t => t.Comments.Count > 0 && t.Comments[0].Author.Id == Azure.BuildIdentity.Id
                                                  && t.Comments[0].History[0].Contains("<!-- tfmfa:request", StringComparison.Ordinal))];

    /// <summary>The step summary the task attached (a markdown file in the agent's temp directory), or empty.</summary>
    public string Summary() =>
        Directory.EnumerateFiles(AgentTemp, "tfmfa-summary-*.md").Select(File.ReadAllText).FirstOrDefault() ?? "";

    /// <summary>
    /// The output variables a task's log set (<c>##vso[task.setvariable variable=authenticatedBy;isoutput=true;]alice</c>),
    /// by the action's names for them (<c>authenticated-by</c>); a later value wins.
    /// </summary>
    public static Dictionary<string, string> Outputs(string log)
    {
        const string command = "##vso[task.setvariable variable=";
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in log.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(command, StringComparison.Ordinal)))
        {
            var name = line[command.Length..line.IndexOf(';', command.Length)];
            var value = line[(line.IndexOf(']', command.Length) + 1)..];
            outputs[string.Concat(name.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()))] =
                value.Replace("%0A", "\n", StringComparison.Ordinal).Replace("%0D", "\r", StringComparison.Ordinal).Replace("%AZP25", "%", StringComparison.Ordinal);
        }
        return outputs;
    }
}
