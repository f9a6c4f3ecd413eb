using System.Globalization;
using System.Text.Json;
using TfMfa.Hosting;

namespace TfMfa.GitHub;

/// <summary>The pull request the run belongs to, as the event payload tells it.</summary>
/// <param name="Author">Who opened the pull request (user.login), when known.</param>
/// <param name="HeadSha">The pull request's head commit (<c>head.sha</c>), when known.</param>
public sealed record EventPullRequest(int Number, string? HeadRepository, string? BaseRepository, string? Author = null, string? HeadSha = null)
{
    /// <summary>
    /// A pull request from a fork runs the fork's code: <c>head.repo.full_name</c> differs from the
    /// base. Fail closed: a head repository that cannot be established (<c>head.repo: null</c> once the
    /// fork is deleted) counts as a fork, and so does a missing base.
    /// </summary>
    public bool IsFromFork => HeadRepository is null || BaseRepository is null
                              || !string.Equals(HeadRepository, BaseRepository, StringComparison.OrdinalIgnoreCase);

    public string Describe() =>
        HeadRepository is null ? $"Pull request #{Number} comes from a repository that cannot be established (head.repo is null: its fork was deleted, or the event does not say), so it counts as a fork"
        : BaseRepository is null ? $"Pull request #{Number} names no base repository, so whether {HeadRepository} is a fork cannot be established and it counts as a fork"
        : $"Pull request #{Number} comes from the fork {HeadRepository}";
}

/// <summary>A workflow_run event: the run that triggered it, and the repository whose code that run had.</summary>
public sealed record TriggeringRun(string? HeadRepository, string? Repository, string? Event)
{
    public bool IsFromFork => HeadRepository is null || Repository is null
                              || !string.Equals(HeadRepository, Repository, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The run as GitHub describes it: the <c>GITHUB_*</c> variables and the event payload, read once.
/// </summary>
public sealed record GitHubContext(
    string ApiUrl,
    string ServerUrl,
    string Owner,
    string Repository,
    long RunId,
    int RunAttempt,
    string EventName,
    string? Sha,
    string? Actor,
    EventPullRequest? PullRequest,
    int? EventIssueNumber,
    bool EventIssueIsPullRequest = false,
    TriggeringRun? WorkflowRun = null)
{
    /// <summary>Events whose payload must carry the pull request (and so its head repository).</summary>
    public static readonly string[] PullRequestEvents = ["pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"];

    public string FullName => $"{Owner}/{Repository}";
    public string RunUrl => $"{ServerUrl.TrimEnd('/')}/{FullName}/actions/runs/{RunId.ToString(CultureInfo.InvariantCulture)}";

    public static GitHubContext Read(IEnvironment environment)
    {
        string Required(string name) => environment.Get(name)
            ?? throw new TfMfaException($"{name} is not set: TfMfa's GitHub channels run inside a GitHub Actions job, where the runner sets it");

        var repository = Required("GITHUB_REPOSITORY");
        var slash = repository.IndexOf('/');
        if (slash <= 0 || slash == repository.Length - 1)
            throw new TfMfaException($"GITHUB_REPOSITORY must look like owner/name (got '{repository}')");
        if (!long.TryParse(Required("GITHUB_RUN_ID"), NumberStyles.None, CultureInfo.InvariantCulture, out var runId))
            throw new TfMfaException($"GITHUB_RUN_ID must be a number (got '{environment.Get("GITHUB_RUN_ID")}')");
        var attempt = int.TryParse(environment.Get("GITHUB_RUN_ATTEMPT"), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 1;

        var (pullRequest, issueNumber, issueIsPullRequest, workflowRun) = ReadPayload(environment.Get("GITHUB_EVENT_PATH"));
        return new GitHubContext(
            environment.Get("GITHUB_API_URL") ?? "https://api.github.com",
            environment.Get("GITHUB_SERVER_URL") ?? "https://github.com",
            repository[..slash],
            repository[(slash + 1)..],
            runId,
            attempt,
            environment.Get("GITHUB_EVENT_NAME") ?? "",
            environment.Get("GITHUB_SHA"),
            environment.Get("GITHUB_ACTOR"),
            pullRequest,
            issueNumber,
            issueIsPullRequest,
            workflowRun);
    }

    /// <summary>
    /// <c>pull_request</c>, <c>pull_request_target</c> and the review events carry the pull request;
    /// <c>issue_comment</c> carries the issue (a pull request when it has <c>issue.pull_request</c>);
    /// <c>workflow_run</c> carries the triggering run and its head repository.
    /// </summary>
    public static (EventPullRequest? PullRequest, int? IssueNumber, bool IssueIsPullRequest, TriggeringRun? WorkflowRun) ReadPayload(string? path)
    {
        if (path is null || !File.Exists(path)) return (null, null, false, null);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.TryGetProperty("pull_request", out var pr) && pr.ValueKind == JsonValueKind.Object && pr.TryGetProperty("number", out var number))
            {
                var head = pr.TryGetProperty("head", out var h) && h.TryGetProperty("repo", out var hr) && hr.ValueKind == JsonValueKind.Object
                    && hr.TryGetProperty("full_name", out var hn) ? hn.GetString() : null;
                var @base = pr.TryGetProperty("base", out var b) && b.TryGetProperty("repo", out var br) && br.ValueKind == JsonValueKind.Object
                    && br.TryGetProperty("full_name", out var bn) ? bn.GetString() : null;
                var author = pr.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.Object && u.TryGetProperty("login", out var login) ? login.GetString() : null;
                var headSha = pr.TryGetProperty("head", out var hs) && hs.ValueKind == JsonValueKind.Object && hs.TryGetProperty("sha", out var sha) ? sha.GetString() : null;
                return (new EventPullRequest(number.GetInt32(), head, @base, author, headSha), number.GetInt32(), true, null);
            }
            if (root.TryGetProperty("issue", out var issue) && issue.ValueKind == JsonValueKind.Object && issue.TryGetProperty("number", out var issueNumber))
                return (null, issueNumber.GetInt32(), issue.TryGetProperty("pull_request", out var link) && link.ValueKind == JsonValueKind.Object, null);
            if (root.TryGetProperty("workflow_run", out var run) && run.ValueKind == JsonValueKind.Object)
                return (null, null, false, new TriggeringRun(RepositoryName(run, "head_repository"), RepositoryName(run, "repository"),
                    run.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null));
            return (null, null, false, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new TfMfaException($"GITHUB_EVENT_PATH ({path}) is not a GitHub event payload: {e.Message}", e);
        }
    }

    private static string? RepositoryName(JsonElement parent, string property) =>
        parent.TryGetProperty(property, out var repository) && repository.ValueKind == JsonValueKind.Object
        && repository.TryGetProperty("full_name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
}
