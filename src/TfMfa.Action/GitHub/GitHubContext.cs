using System.Globalization;
using System.Text.Json;
using TfMfa.Gate;
using TfMfa.Hosting;

namespace TfMfa.GitHub;

/// <summary>The pull request the run belongs to, as the event payload tells it.</summary>
public sealed record EventPullRequest(int Number, string? HeadRepository, string? BaseRepository)
{
    /// <summary>A pull request from a fork runs the fork's code: <c>head.repo.full_name</c> differs from the base.</summary>
    public bool IsFromFork => HeadRepository is not null && BaseRepository is not null
                              && !string.Equals(HeadRepository, BaseRepository, StringComparison.OrdinalIgnoreCase);
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
    bool EventIssueIsPullRequest = false)
{
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

        var (pullRequest, issueNumber, issueIsPullRequest) = ReadPayload(environment.Get("GITHUB_EVENT_PATH"));
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
            issueIsPullRequest);
    }

    /// <summary><c>pull_request</c>/<c>pull_request_target</c> carry the pull request; <c>issue_comment</c> carries the issue (a pull request when it has <c>issue.pull_request</c>).</summary>
    public static (EventPullRequest? PullRequest, int? IssueNumber, bool IssueIsPullRequest) ReadPayload(string? path)
    {
        if (path is null || !File.Exists(path)) return (null, null, false);
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
                return (new EventPullRequest(number.GetInt32(), head, @base), number.GetInt32(), true);
            }
            if (root.TryGetProperty("issue", out var issue) && issue.ValueKind == JsonValueKind.Object && issue.TryGetProperty("number", out var issueNumber))
                return (null, issueNumber.GetInt32(), issue.TryGetProperty("pull_request", out var link) && link.ValueKind == JsonValueKind.Object);
            return (null, null, false);
        }
        catch (JsonException e)
        {
            throw new TfMfaException($"GITHUB_EVENT_PATH ({path}) is not valid JSON: {e.Message}", e);
        }
    }
}
