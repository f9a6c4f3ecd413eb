using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Gate;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.RunLog;

namespace TfMfa.GitHub;

/// <summary>The GitHub side of a run: the context, the API client, the default branch's config and the code channels.</summary>
public sealed class GitHubFrontEnd(GitHubContext context, IGitHubApi api, IRunLog log, TimeProvider clock)
{
    public GitHubContext Context => context;

    public IDefaultBranchConfig DefaultBranch { get; } = new GitHubDefaultBranchConfig(api);

    /// <param name="token">The github-token input as <see cref="InputReader"/> read it (variable or option); else the job's GITHUB_TOKEN.</param>
    public static GitHubFrontEnd Create(IEnvironment environment, string? token, IRunLog log, TimeProvider clock)
    {
        var context = GitHubContext.Read(environment);
        token ??= environment.Get("GITHUB_TOKEN")
            ?? throw new TfMfaException("input 'github-token' is empty: leave it at its default (${{ github.token }}) or pass a token that can read contents and write pull-request comments");
        return new GitHubFrontEnd(context, new OctokitGitHubApi(context, token, clock), log, clock);
    }

    public IMfaCodeSource CodeSource(ActionInputs inputs, GatePolicy policy)
    {
        var approvers = new Approvers(policy.Approvers, api);
        var comments = new CommentCodeSource(
            api,
            approvers,
            ct => PullRequestLocator.FindAsync(context, inputs.IssueNumber, api, ct),
            request => new RequestDetails(request.Command, request.Environment, request.SerialNumber, context.RunUrl,
                context.RunId, context.RunAttempt, policy.Approvers, request.Deadline),
            policy.Wait.PollInterval,
            clock,
            log);
        return new GitHubCodeSource(new EnvironmentApprovalCodes(api, approvers, context.RunId, log), comments, ForeignCodeAsync, policy.AllowForkPrs);
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
    private async Task<string?> ForeignCodeAsync(CancellationToken cancellationToken)
    {
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
