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
        return new GitHubCodeSource(new EnvironmentApprovalCodes(api, approvers, context.RunId, log), comments, RunPullRequestAsync, policy.AllowForkPrs);
    }

    /// <summary>An issue_comment payload names the pull request but not its head repository: ask for it.</summary>
    private async Task<EventPullRequest?> RunPullRequestAsync(CancellationToken cancellationToken)
    {
        if (context.PullRequest is not null || !context.EventIssueIsPullRequest || context.EventIssueNumber is not { } number)
            return context.PullRequest;
        try
        {
            return await api.GetPullRequestAsync(number, cancellationToken);
        }
        catch (GitHubException e)
        {
            throw new TfMfaException($"Could not tell whether pull request #{number} comes from a fork, so no code is asked for (fail closed): {e.Message}", e);
        }
    }
}
