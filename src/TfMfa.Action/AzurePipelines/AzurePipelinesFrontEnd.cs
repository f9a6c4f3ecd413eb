using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;

namespace TfMfa.AzurePipelines;

/// <summary>
/// The Azure Pipelines front end (TF_BUILD=True): the agent's variables, logging commands, the
/// default branch's config through the items API, and the code channels (an Approvals check's
/// comment, then a pull-request thread). Everything else is the core's, as on GitHub.
/// </summary>
public sealed class AzurePipelinesFrontEnd(IEnvironment environment, IRunLog log, TimeProvider clock) : IFrontEnd
{
    public const string DefaultConfigPath = ".azuredevops/tfmfa.yml";

    /// <summary>Task inputs by GitHub name: <c>workingDirectory</c> for <c>working-directory</c>, <c>pullRequestId</c> for <c>issue-number</c>; no token input (the job has one).</summary>
    private static string? InputVariable(string name) => name switch
    {
        "github-token" => null,
        "wait-mode" => null, // comment-trigger is GitHub's alone (docs/architecture.md)
        "issue-number" => "INPUT_PULLREQUESTID",
        _ => "INPUT_" + name.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant(),
    };

    public InputConventions Inputs { get; } = new(InputVariable, "BUILD_SOURCESDIRECTORY", DefaultConfigPath,
        "name an AWS service connection in the awsCredentials input, or map them from secret variables (env: AWS_ACCESS_KEY_ID: $(AWS_ACCESS_KEY_ID), AWS_SECRET_ACCESS_KEY: $(AWS_SECRET_ACCESS_KEY))");

    private AzureContext? _context;
    private AzureReposApi? _api;
    private IDefaultBranchConfig? _defaultBranch;

    public RunContext Context { get; } = new(
        environment.Get("BUILD_REQUESTEDFOREMAIL") ?? environment.Get("BUILD_REQUESTEDFOR") ?? "azure-pipelines",
        SecretVariables(environment),
        "Azure DevOps",
        environment.Get("BUILD_SOURCEVERSION"),
        CommitUrl(environment));

    /// <summary>The commit's page in Azure Repos: {collection}{project}/_git/{repository}/commit/{sha}.</summary>
    private static string? CommitUrl(IEnvironment environment) =>
        environment.Get("SYSTEM_COLLECTIONURI") is { } collection && environment.Get("SYSTEM_TEAMPROJECT") is { } project
        && environment.Get("BUILD_REPOSITORY_NAME") is { } repository && environment.Get("BUILD_SOURCEVERSION") is { } sha
            ? $"{collection.TrimEnd('/')}/{Uri.EscapeDataString(project)}/_git/{Uri.EscapeDataString(repository)}/commit/{sha}"
            : null;

    /// <summary>The job token, a mapped SYSTEM_ACCESSTOKEN, every service connection's parameters (the AWS one's secret key among them), and secret variables the agent hands over as SECRET_*.</summary>
    private static IReadOnlyList<string> SecretVariables(IEnvironment environment) =>
    [
        .. AwsSettings.SecretVariables, AzureContext.JobTokenVariable, "SYSTEM_ACCESSTOKEN",
        .. environment.All().Keys.Where(name => name.StartsWith("ENDPOINT_AUTH_", StringComparison.OrdinalIgnoreCase)
                                                || name.StartsWith("SECRET_", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal),
    ];

    public IRunLog Log => log;

    /// <summary>
    /// The keys from the variables (mapped from secret variables with env:), else from the
    /// awsCredentials service connection: the AWS Toolkit's connection holds the access key id as
    /// its username and the secret key as its password.
    /// </summary>
    public AwsSettings Aws(IEnvironment variables)
    {
        if (variables.Get("INPUT_AWSCREDENTIALS") is not { } endpoint || variables.Get("AWS_ACCESS_KEY_ID") is not null)
            return AwsSettings.Read(variables, Inputs.HowToPassKeys);
        var id = endpoint.Trim().ToUpperInvariant().Replace("-", "_", StringComparison.Ordinal);
        var keyId = variables.Get($"ENDPOINT_AUTH_PARAMETER_{id}_USERNAME");
        var secret = variables.Get($"ENDPOINT_AUTH_PARAMETER_{id}_PASSWORD");
        if (keyId is null || secret is null)
            throw new TfMfaException($"input 'awsCredentials' names the service connection {endpoint}, but the agent passed no access key id and secret key for it: use an AWS service connection with an access key (the AWS Toolkit's 'AWS' type), or map AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from secret variables with env:");
        var merged = new Dictionary<string, string>(variables.All(), StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = keyId,
            ["AWS_SECRET_ACCESS_KEY"] = secret,
        };
        return AwsSettings.Read(new DictionaryEnvironment(merged), Inputs.HowToPassKeys);
    }

    public IDefaultBranchConfig DefaultBranch(ActionInputs inputs) => _defaultBranch ??= AzureDefaultBranch.Reader(Api());

    private AzureReposApi Api()
    {
        if (_api is not null) return _api;
        _context = AzureContext.Read(environment);
        if (!_context.RepositoryProvider.Equals("TfsGit", StringComparison.OrdinalIgnoreCase))
            throw new TfMfaException($"BUILD_REPOSITORY_PROVIDER is {_context.RepositoryProvider}: the TfMfa task talks to Azure Repos Git (TfsGit). For a GitHub repository, run the TfMfa GitHub action in GitHub Actions instead.");
        var token = environment.Get(AzureContext.JobTokenVariable) ?? environment.Get("SYSTEM_ACCESSTOKEN")
            ?? throw new TfMfaException($"The job's access token is missing ({AzureContext.JobTokenVariable}; every task gets it unless the job is a server job): run TfMfa as a task in an agent job, or map SYSTEM_ACCESSTOKEN with env: SYSTEM_ACCESSTOKEN: $(System.AccessToken).");
        return _api = new AzureReposApi(new AzureDevOpsClient(_context, token, clock), _context);
    }

    public ICodeChannel CodeChannel(ActionInputs inputs, GatePolicy policy)
    {
        var api = Api();
        var context = _context!;
        Task<int>? pullRequest = null;
        Task<int> PullRequest(CancellationToken ct) => pullRequest ??= FindPullRequestAsync(api, context, inputs.IssueNumber, ct);
        var approvers = new Approvers(policy.Approvers, (author, ct) => api.PermissionAsync(author.Key, ct),
            async ct => await PeopleBehindTheChangeAsync(api, await PullRequest(ct), ct),
            (team, author, ct) => IsTeamMemberAsync(api, team, author, ct));
        var runKey = $"{context.BuildId}.{context.JobAttempt}";
        var comments = new ConversationChannel(
            new AzureThreadConversation(api, PullRequest, runKey, context.RunUrl),
            approvers,
            request => new RequestDetails(request.Command, request.Environment, request.SerialNumber, context.RunUrl,
                context.BuildId, context.JobAttempt, policy.Approvers, request.Deadline, AzureThreadConversation.Wording, request.Unlocks),
            policy.Wait.PollInterval,
            clock,
            log);
        var approvals = new AzureApprovalCodes(api, context, approvers, log);
        return new ApprovalThenComments(approvals.FindAsync, comments, log.Warning);
    }

    public Task<string?> ForeignCodeAsync(ActionInputs inputs, CancellationToken cancellationToken)
    {
        Api();
        return Task.FromResult(_context!.ForeignCode());
    }

    /// <summary>
    /// Who created the pull request, authored or committed its commits (git identities: matched by
    /// email against the writer's uniqueName), and pushed to it (its iterations' authors and pushers,
    /// matched by identity). What cannot be read leaves them unknown: no code counts.
    /// </summary>
    private static async Task<PeopleBehindTheChange> PeopleBehindTheChangeAsync(AzureReposApi api, int pullRequest, CancellationToken cancellationToken)
    {
        try
        {
            var opener = (await api.PullRequestAsync(pullRequest, cancellationToken)).CreatedBy?.UniqueName;
            if (opener is null) return new PeopleBehindTheChange(null, []);
            var commits = await api.PullRequestCommitsAsync(pullRequest, cancellationToken);
            if (commits is null)
                return PeopleBehindTheChange.CannotBeEstablished(
                    $"pull request {pullRequest} has more than {AzureReposApi.MaxPullRequestCommits} commits, more than TfMfa reads, so who committed to it cannot be established (squash or split it)");
            var contributors = new List<ChangeContributor>();
            foreach (var iteration in (await api.IterationsAsync(pullRequest, cancellationToken)).OrderByDescending(i => i.Id))
            {
                if (iteration.Push?.PushedBy is { } pusher && Identities(pusher) is { Count: > 0 } pushed)
                    contributors.Add(new ChangeContributor($"pushed update {iteration.Id} of this pull request", pushed));
                if (iteration.Author is { } author && Identities(author) is { Count: > 0 } authored)
                    contributors.Add(new ChangeContributor($"made update {iteration.Id} of this pull request", authored));
            }
            foreach (var commit in commits)
            {
                var sha = commit.CommitId is { Length: > 7 } id ? id[..7] : commit.CommitId ?? "?";
                if (commit.Author?.Email is { Length: > 0 } authorEmail)
                    contributors.Add(new ChangeContributor($"authored commit {sha} of this pull request (as {authorEmail})", [authorEmail]));
                if (commit.Committer?.Email is { Length: > 0 } committerEmail && !committerEmail.Equals(commit.Author?.Email, StringComparison.OrdinalIgnoreCase))
                    contributors.Add(new ChangeContributor($"committed {sha} to this pull request (as {committerEmail})", [committerEmail]));
            }
            return new PeopleBehindTheChange(opener, contributors);
        }
        catch (AzureDevOpsException e) when (!e.IsTransient)
        {
            return PeopleBehindTheChange.CannotBeEstablished($"who created, committed to or pushed to pull request {pullRequest} cannot be read ({e.Message})");
        }
    }

    private static IReadOnlyList<string> Identities(IdentityRef identity) =>
        [.. new[] { identity.Id, identity.UniqueName }.OfType<string>().Where(i => i.Length > 0)];

    private readonly LookupCache<string, HashSet<string>> _teamMembers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// approvers.teams on Azure DevOps: <c>Project/Team</c>, and its direct members count (a group
    /// among them is not expanded, so name its people or its own team). Each team is read once a run.
    /// The service answers 404 both for a team that does not exist and for one the build identity may
    /// not see, so either stops the run rather than guess (fail closed).
    /// </summary>
    private async Task<bool> IsTeamMemberAsync(AzureReposApi api, string team, ConversationAuthor author, CancellationToken cancellationToken)
    {
        var slash = team.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0) return false; // config validation admits only Project/Team; anything else names no Azure DevOps team
        var (project, name) = (team[..slash], team[(slash + 1)..]);
        try
        {
            return (await _teamMembers.GetAsync(team, () => ReadMembersAsync(api, project, name, cancellationToken))).Contains(author.Key);
        }
        catch (AzureDevOpsException e) when (!e.IsTransient)
        {
            throw new TfMfaException(
                $"approvers.teams names '{team}', and Azure DevOps does not let the build identity read its members ({e.Message}); so no code counts (fail closed). " +
                $"Check the name (Project/Team, as Project settings → Teams shows it), and that the build identity can view project '{project}' " +
                "(the 'View project-level information' permission, which the project's Readers and Contributors have).", e);
        }
    }

    private static async Task<HashSet<string>> ReadMembersAsync(AzureReposApi api, string project, string team, CancellationToken cancellationToken) =>
        [.. (await api.TeamMembersAsync(project, team, cancellationToken))
            .Where(m => m.Identity is { Id: { Length: > 0 }, IsContainer: not true })
            .Select(m => m.Identity!.Id!)];

    /// <summary>The build's pull request, else the one whose merge commit this is, else the pullRequestId input.</summary>
    private static async Task<int> FindPullRequestAsync(AzureReposApi api, AzureContext context, int? input, CancellationToken cancellationToken)
    {
        if (context.PullRequestId is { } fromBuild) return fromBuild;
        if (context.SourceVersion is { Length: > 0 } sha)
        {
            var pulls = await api.PullRequestsForCommitAsync(sha, cancellationToken);
            var pull = pulls.FirstOrDefault(p => p.Status == "active") ?? pulls.FirstOrDefault();
            if (pull is not null) return pull.PullRequestId;
        }
        if (input is { } number) return number;
        throw new TfMfaException(
            $"There is no pull request to ask for an MFA code on: this build ({context.BuildReason}) has none and commit {(context.SourceVersion.Length > 0 ? context.SourceVersion : "(unknown)")} belongs to no pull request. " +
            "Set the pullRequestId input to a pull request where approvers can reply '/mfa 123456', or put an Approvals check on the environment and approve with the comment '/mfa 123456'.");
    }
}
