
namespace TfMfa.GitHub;

/// <summary>Where to ask for a code: the event's pull request, else the pull request of the commit, else the issue-number input.</summary>
public static class PullRequestLocator
{
    public static async Task<int> FindAsync(GitHubContext context, int? issueNumberInput, OctokitGitHubApi github, CancellationToken cancellationToken)
    {
        if (context.EventIssueNumber is { } fromEvent) return fromEvent;
        if (context.Sha is { Length: > 0 } sha)
        {
            var pulls = await github.GetPullRequestsForCommitAsync(sha, cancellationToken);
            var pull = pulls.FirstOrDefault(p => p.IsOpen) ?? pulls.FirstOrDefault();
            if (pull is not null) return pull.Number;
        }
        if (issueNumberInput is { } input) return input;
        throw new TfMfaException(
            $"There is no pull request to ask for an MFA code on: this {(context.EventName.Length > 0 ? context.EventName : "run")} event has none and commit {context.Sha ?? "(unknown)"} belongs to no pull request. " +
            "Set the issue-number input to an issue where approvers can reply '/mfa 123456', or gate the job with a GitHub environment whose approval comment is '/mfa 123456'.");
    }
}
