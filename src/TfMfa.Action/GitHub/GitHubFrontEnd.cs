using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;
using TfMfa.Trigger;

namespace TfMfa.GitHub;

/// <summary>
/// The GitHub Actions front end: the run's context, the workflow-command run log, the default
/// branch's config through the contents API, and the code channels (environment approval, then the
/// <c>/mfa</c> comment). The API client is made once the inputs are read, from their github-token.
/// </summary>
public sealed class GitHubFrontEnd(IEnvironment environment, IRunLog log, TimeProvider clock) : IFrontEnd
{
    /// <summary>The runner's: <c>INPUT_WORKING-DIRECTORY</c>, <c>GITHUB_WORKSPACE</c>, <c>.github/tfmfa.yml</c>, keys from repository secrets.</summary>
    public static readonly InputConventions Conventions = new(name => "INPUT_" + name.ToUpperInvariant(), "GITHUB_WORKSPACE", ".github/tfmfa.yml",
        "pass them from repository secrets (env: AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}, AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }})");

    /// <summary>The runner's own tokens and TfMfa's: secrets wherever they appear.</summary>
    private static readonly string[] SecretVariables =
    [
        .. AwsSettings.SecretVariables, Conventions.VariableName("github-token")!,
        "GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ];

    public InputConventions Inputs => Conventions;

    private GitHubContext? _context;
    private OctokitGitHubApi? _api;
    private IDefaultBranchConfig? _defaultBranch;

    public RunContext Context { get; } = new(environment.Get("GITHUB_ACTOR") ?? "github-actions", SecretVariables, "GitHub",
        environment.Get("GITHUB_SHA"),
        environment.Get("GITHUB_SHA") is { } sha && environment.Get("GITHUB_REPOSITORY") is { } repository
            ? $"{(environment.Get("GITHUB_SERVER_URL") ?? "https://github.com").TrimEnd('/')}/{repository}/commit/{sha}"
            : null);

    public IRunLog Log => log;

    public IDefaultBranchConfig DefaultBranch(ActionInputs inputs) => _defaultBranch ??= GitHubDefaultBranch.Reader(Api(inputs));

    /// <summary>The github-token input as <see cref="InputReader"/> read it (variable or option); else the job's GITHUB_TOKEN.</summary>
    private OctokitGitHubApi Api(ActionInputs inputs)
    {
        if (_api is not null) return _api;
        _context = GitHubContext.Read(environment);
        var token = inputs.ApiToken ?? environment.Get("GITHUB_TOKEN")
            ?? throw new TfMfaException("input 'github-token' is empty: leave it at its default (${{ github.token }}) or pass a token that can read contents and write pull-request comments");
        return _api = new OctokitGitHubApi(_context, token, clock);
    }

    public ICodeChannel CodeChannel(ActionInputs inputs, GatePolicy policy)
    {
        var (api, context, conversation, approvers) = PullRequestParts(inputs, policy);
        var comments = new ConversationChannel(
            conversation,
            approvers,
            request => new RequestDetails(request.Command, request.Environment, request.SerialNumber, context.RunUrl,
                context.RunId, context.RunAttempt, policy.Approvers, request.Deadline, GitHubConversation.Wording, request.Unlocks),
            policy.Wait.PollInterval,
            clock,
            log);
        var approvals = new EnvironmentApprovalCodes(api, approvers, context.RunId, log);
        return new ApprovalThenComments(approvals.FindAsync, comments, log.Warning);
    }

    public ICommentTrigger CommentTrigger(ActionInputs inputs, GatePolicy policy)
    {
        var (api, context, conversation, approvers) = PullRequestParts(inputs, policy);
        return new GitHubCommentTrigger(api, context, conversation, approvers, GitHubCommentTrigger.ReadAnswer(context.EventName, environment.Get("GITHUB_EVENT_PATH")));
    }

    /// <summary>The pull request's conversation and who may answer on it, found once a run.</summary>
    private (OctokitGitHubApi Api, GitHubContext Context, GitHubConversation Conversation, Approvers Approvers) PullRequestParts(ActionInputs inputs, GatePolicy policy)
    {
        var api = Api(inputs);
        var context = _context!;
        Task<int>? issue = null;
        Task<int> Issue(CancellationToken ct) => issue ??= PullRequestLocator.FindAsync(context, inputs.IssueNumber, api, ct);
        var pusher = HeadPusher.Read(context.EventName, environment.Get("GITHUB_EVENT_PATH"));
        var approvers = new Approvers(policy.Approvers, (author, ct) => api.GetPermissionAsync(author.Key, ct), ct => PeopleBehindTheChangeAsync(context, api, Issue, pusher, ct),
            (team, author, ct) => IsTeamMemberAsync(api, team, author.Key, ct));
        return (api, context, new GitHubConversation(api, Issue), approvers);
    }

    public async Task<(string Sha, string HowToCheckOut)?> EventPullRequestHeadAsync(ActionInputs inputs, CancellationToken cancellationToken)
    {
        var api = Api(inputs);
        var context = _context!;
        if (context.PullRequest is { HeadSha: { } sha })
            return (sha, "check out the pull request's head: actions/checkout with ref: ${{ github.event.pull_request.head.sha }} (the default is a merge commit)");
        if (context.EventName == "issue_comment" && context.EventIssueIsPullRequest && context.EventIssueNumber is { } number
            && (await api.GetPullRequestAsync(number, cancellationToken)).HeadSha is { } head)
            return (head, "check out the pull request's head SHA read from the API (the issue_comment event runs on the default branch): see action/workflows/terraform-comment-apply.yml");
        return null;
    }

    /// <summary>
    /// Team membership needs a token that can read the organization's members: a GitHub App
    /// installation token with Members: read, or a personal access token with read:org (fine-grained:
    /// Members: read). The job's GITHUB_TOKEN cannot, so the run stops rather than guess.
    /// </summary>
    private static async Task<bool> IsTeamMemberAsync(OctokitGitHubApi api, string team, string login, CancellationToken cancellationToken)
    {
        try
        {
            return await api.IsTeamMemberAsync(team, login, cancellationToken);
        }
        catch (GitHubException e) when (e.Status is System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized)
        {
            throw new TfMfaException(
                $"approvers.teams needs a token that can read team membership, and github-token cannot ({e.Message}); so no code counts (fail closed). " +
                "Pass a GitHub App installation token with the organization permission Members: read, or a personal access token with read:org, as github-token; the job's GITHUB_TOKEN never can.", e);
        }
    }

    /// <summary>
    /// Who opened the pull request, authored or committed its commits (by their GitHub accounts; a
    /// commit whose email belongs to no account names nobody), and pushed its head where the event
    /// says. GitHub's own committer (web-flow, for edits and merges in the browser) is nobody. A list
    /// that cannot be read, or that GitHub cuts at 250 commits, leaves them unknown: no code counts.
    /// </summary>
    private static async Task<PeopleBehindTheChange> PeopleBehindTheChangeAsync(GitHubContext context, OctokitGitHubApi api, Func<CancellationToken, Task<int>> issue,
        ChangeContributor? pusher, CancellationToken cancellationToken)
    {
        var opener = await PullRequestAuthorAsync(context, api, issue, cancellationToken);
        if (opener is null) return new PeopleBehindTheChange(null, []);
        var number = await issue(cancellationToken);
        IReadOnlyList<PullRequestCommit> commits;
        try
        {
            commits = await api.GetPullRequestCommitsAsync(number, cancellationToken);
        }
        catch (GitHubException e) when (!e.IsTransient)
        {
            return PeopleBehindTheChange.CannotBeEstablished($"who committed to pull request #{number} cannot be read ({e.Message})");
        }
        if (commits.Count >= OctokitGitHubApi.PullRequestCommitLimit)
            return PeopleBehindTheChange.CannotBeEstablished(
                $"pull request #{number} has {OctokitGitHubApi.PullRequestCommitLimit} commits or more, and GitHub lists no more than that, so who committed to it cannot be established (squash or split it)");
        var contributors = new List<ChangeContributor>();
        if (pusher is not null) contributors.Add(pusher);
        foreach (var commit in commits)
        {
            var sha = commit.Sha.Length > 7 ? commit.Sha[..7] : commit.Sha;
            var author = commit.AuthorLogin;
            if (author is not null) contributors.Add(new ChangeContributor($"authored commit {sha} of this pull request", [author]));
            if (commit.CommitterLogin is { } committer && committer != author && !committer.Equals(GitHubsOwnCommitter, StringComparison.OrdinalIgnoreCase))
                contributors.Add(new ChangeContributor($"committed {sha} to this pull request", [committer]));
        }
        return new PeopleBehindTheChange(opener, contributors);
    }

    /// <summary>The account GitHub commits as for edits, merges and squashes made in its web interface.</summary>
    private const string GitHubsOwnCommitter = "web-flow";

    /// <summary>Who opened the pull request the codes are for: the event's, else read from the API (an issue that is no pull request has an author too).</summary>
    private static async Task<string?> PullRequestAuthorAsync(GitHubContext context, OctokitGitHubApi api, Func<CancellationToken, Task<int>> issue, CancellationToken cancellationToken)
    {
        if (context.PullRequest?.Author is { } author) return author;
        var number = await issue(cancellationToken);
        try { return (await api.GetPullRequestAsync(number, cancellationToken)).Author; }
        catch (GitHubException e) when (e.Status == System.Net.HttpStatusCode.NotFound) { return null; }
    }

    /// <summary>
    /// Whether this run may execute code from outside the repository, and why: null when the code
    /// is the repository's own. Every event a workflow can start from falls in one of these cases:
    /// <list type="bullet">
    /// <item>a pull-request event (pull_request, pull_request_target, pull_request_review, pull_request_review_comment): its <c>head.repo</c>;</item>
    /// <item>issue_comment on a pull request: the pull request read from the API (the payload lacks its head);</item>
    /// <item>workflow_run: the triggering run's <c>head_repository</c>;</item>
    /// <item>every other event (push, workflow_dispatch, schedule, merge_group, repository_dispatch, release, ...) runs a ref of this repository.</item>
    /// </list>
    /// Anything that cannot be established counts as a fork (fail closed).
    /// </summary>
    public async Task<string?> ForeignCodeAsync(ActionInputs inputs, CancellationToken cancellationToken)
    {
        var api = Api(inputs);
        var context = _context!;
        if (context.PullRequest is { } pr) return pr.IsFromFork ? pr.Describe() : null;
        if (GitHubContext.PullRequestEvents.Contains(context.EventName))
            return $"This {context.EventName} event's payload names no pull request, so its head repository cannot be established and it counts as a fork";
        if (context.EventName == "workflow_run" || context.WorkflowRun is not null)
        {
            if (context.WorkflowRun is not { } run)
                return "This workflow_run event's payload names no triggering run, so the code's repository cannot be established and it counts as a fork";
            if (!run.IsFromFork) return null;
            return run.HeadRepository is null
                ? $"The {run.Event ?? "triggering"} run behind this workflow_run has no head repository (a deleted fork?), so it counts as a fork"
                : $"The {run.Event ?? "triggering"} run behind this workflow_run comes from the fork {run.HeadRepository}";
        }
        if (context.EventIssueIsPullRequest && context.EventIssueNumber is { } number)
        {
            try
            {
                var lookedUp = await api.GetPullRequestAsync(number, cancellationToken);
                return lookedUp.IsFromFork ? lookedUp.Describe() : null;
            }
            catch (GitHubException e)
            {
                throw new TfMfaException($"Could not tell whether pull request #{number} comes from a fork, so no code is asked for (fail closed): {e.Message}", e);
            }
        }
        return null;
    }
}
