using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TfMfa.StandIns.GitHub;

/// <summary>
/// A local GitHub REST API on 127.0.0.1 serving exactly the endpoints TfMfa uses, statefully:
/// comments (created, edited, deleted), reactions (added, removed), commit statuses, approvals, permissions, file contents and the
/// default branch; strong ETags with 304s that cost no rate limit; token checks (401); rate-limit
/// headers. Tests act as people through it and count what each request cost.
/// Serves both at the root and under <c>/api/v3</c>, as GitHub Enterprise Server does.
/// </summary>
public sealed partial class GitHubStandIn : IAsyncDisposable
{
    public const string ActionsBotLogin = "github-actions[bot]";
    private const int HourlyLimit = 1000;

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<GitHubRequestRecord> _requests = new();
    private readonly Dictionary<string, GitHubUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _roles = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<StoredComment> _comments = [];
    private readonly Dictionary<int, StoredPullRequest> _pullRequests = [];
    private readonly Dictionary<int, List<StoredCommit>> _pullRequestCommits = [];
    private readonly Dictionary<long, List<StoredApproval>> _approvals = [];
    private readonly Dictionary<(string Branch, string Path), string> _files = [];
    private readonly Dictionary<string, HashSet<string>> _teams = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Func<StoredComment, Task>> _commentListeners = [];
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly Dictionary<string, GitHubUser> _personalTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<long, StoredWorkflowRun> _runs = [];
    private readonly Dictionary<string, List<StoredStatus>> _statuses = new(StringComparer.OrdinalIgnoreCase);
    private long _nextCommentId = 1_000_000;
    private long _nextReactionId = 5_000_000;
    private long _nextStatusId = 9_000_000;
    private int _remaining = HourlyLimit;

    private GitHubStandIn(WebApplication app, string owner, string repository, string token, TimeProvider clock)
    {
        _app = app;
        Owner = owner;
        Repository = repository;
        Token = token;
        Clock = clock;
        ResetAt = clock.GetUtcNow().AddHours(1);
        Bot = AddUser(ActionsBotLogin, isBot: true);
    }

    public string Owner { get; }
    public string Repository { get; }
    public string FullName => $"{Owner}/{Repository}";
    public string Token { get; }

    /// <summary>A token that may read the organization's team membership (a GitHub App with Members: read, or a PAT with read:org).</summary>
    public string OrgReaderToken { get; } = "ghs_org_members_reader";

    /// <summary>A team (<c>org/slug</c>) and its members.</summary>
    public void AddTeam(string team, params string[] members)
    {
        lock (_lock) _teams[team] = new HashSet<string>(members, StringComparer.OrdinalIgnoreCase);
    }
    public TimeProvider Clock { get; }
    public GitHubUser Bot { get; }
    public string DefaultBranch { get; set; } = "main";

    /// <summary>public, private or internal, as GitHub's repository object says.</summary>
    public string Visibility { get; set; } = "private";
    public DateTimeOffset ResetAt { get; private set; }

    /// <summary>Base URL, like <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>A simulated round trip to api.github.com: half before a request is handled, half before its answer leaves.</summary>
    public TimeSpan Latency { get; set; }

    public IReadOnlyList<GitHubRequestRecord> Requests => [.. _requests];

    public static async Task<GitHubStandIn> StartAsync(string repository = "acme/infra", string token = "ghs_standin_token", TimeProvider? clock = null)
    {
        var app = LoopbackServer.Create();
        var parts = repository.Split('/', 2);
        var standIn = new GitHubStandIn(app, parts[0], parts[1], token, clock ?? TimeProvider.System);
        standIn.Url = await LoopbackServer.ServeAsync(app, standIn.HandleAsync);
        return standIn;
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);

    // ---- the world, as tests arrange it ----

    public GitHubUser AddUser(string login, string? role = null, bool isBot = false)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(login, out var user))
                _users[login] = user = new GitHubUser(_users.Count + 1001, login, isBot);
            if (role is not null) _roles[login] = role;
            return user;
        }
    }

    public void SetFile(string branch, string path, string? content)
    {
        lock (_lock)
        {
            if (content is null) _files.Remove((branch, path));
            else _files[(branch, path)] = content;
        }
    }

    /// <param name="forkDeleted">The head repository was a fork that no longer exists.</param>
    public StoredPullRequest AddPullRequest(int number, string headSha, string? headRepository = null, bool open = true, bool forkDeleted = false, string author = "dana")
    {
        AddUser(author);
        var pr = new StoredPullRequest(number, headSha, forkDeleted ? null : headRepository ?? FullName, open, author);
        lock (_lock) _pullRequests[number] = pr;
        AddCommit(number, author, author, headSha);
        return pr;
    }

    /// <summary>
    /// A commit on the pull request, authored and committed by these accounts; null for an email that
    /// belongs to no account (GitHub then answers <c>author: null</c>). <c>web-flow</c> is GitHub's own committer.
    /// </summary>
    public StoredCommit AddCommit(int pullRequest, string? authorLogin, string? committerLogin, string? sha = null)
    {
        GitHubUser? Account(string? login) => login is null ? null : AddUser(login);
        lock (_lock)
        {
            if (!_pullRequestCommits.TryGetValue(pullRequest, out var commits)) _pullRequestCommits[pullRequest] = commits = [];
            sha ??= Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{pullRequest}/{commits.Count}/{authorLogin}/{committerLogin}")));
            var commit = new StoredCommit(sha, Account(authorLogin), Account(committerLogin),
                authorLogin ?? "Someone", $"{authorLogin ?? "someone"}@users.noreply.example", committerLogin ?? "Someone", $"{committerLogin ?? "someone"}@users.noreply.example");
            commits.Add(commit);
            return commit;
        }
    }

    /// <summary>Adds <paramref name="count"/> commits by <paramref name="login"/>, as a long-lived branch has.</summary>
    public void AddCommits(int pullRequest, string login, int count)
    {
        for (var i = 0; i < count; i++) AddCommit(pullRequest, login, login);
    }

    public void AddApproval(long runId, string login, string comment, string environment, string state = "approved")
    {
        var user = AddUser(login);
        lock (_lock)
        {
            if (!_approvals.TryGetValue(runId, out var list)) _approvals[runId] = list = [];
            list.Add(new StoredApproval(state, user, comment, [environment]));
        }
    }

    /// <summary>A personal access token of <paramref name="login"/> (a user account, not a bot): what it writes is theirs.</summary>
    public string AddPersonalAccessToken(string login, string? role = "write")
    {
        var user = AddUser(login, role);
        var token = "ghp_" + login.Replace("-", "", StringComparison.Ordinal) + "0123456789abcdef";
        lock (_lock) _personalTokens[token] = user;
        return token;
    }

    /// <summary>Whether the tokens may read workflow runs (the job's <c>actions: read</c> permission); false answers 403.</summary>
    public bool TokenMayReadActions { get; set; } = true;

    /// <summary>A workflow run of the repository, as GET /actions/runs/{id} shows it.</summary>
    public StoredWorkflowRun AddWorkflowRun(long id, string status = "in_progress", string? conclusion = null)
    {
        var now = Clock.GetUtcNow();
        var run = new StoredWorkflowRun(id, status, conclusion, "0f3c9a1b2d", now, now);
        lock (_lock) _runs[id] = run;
        return run;
    }

    /// <summary>The run ends (its jobs finished, were cancelled, or lost their runner).</summary>
    public void CompleteWorkflowRun(long id, string conclusion = "failure")
    {
        lock (_lock) _runs[id] = _runs[id] with { Status = "completed", Conclusion = conclusion, UpdatedAt = Clock.GetUtcNow() };
    }

    /// <summary>Whether the tokens may create commit statuses (the job's <c>statuses: write</c> permission); false answers 403.</summary>
    public bool TokenMayWriteStatuses { get; set; } = true;

    /// <summary>The statuses set on a commit, newest first, as GitHub lists them.</summary>
    public IReadOnlyList<StoredStatus> StatusesOf(string sha)
    {
        lock (_lock) return [.. (_statuses.GetValueOrDefault(sha) ?? []).AsEnumerable().Reverse()];
    }

    /// <summary>The status a commit shows for <paramref name="context"/> (the newest one set), or null when none was set.</summary>
    public StoredStatus? LatestStatus(string sha, string context) =>
        StatusesOf(sha).FirstOrDefault(s => s.Context.Equals(context, StringComparison.OrdinalIgnoreCase));

    /// <summary>A person (or bot) writes a comment.</summary>
    public StoredComment PostComment(int issueNumber, string login, string body) => CreateComment(issueNumber, AddUser(login), body);

    /// <summary>A comment whose writer's account was deleted since: the API answers <c>user: null</c>.</summary>
    public StoredComment PostCommentFromDeletedAccount(int issueNumber, string body) =>
        CreateComment(issueNumber, new GitHubUser(10_000_000 + Interlocked.Increment(ref _nextCommentId), "ghost", false, IsDeleted: true), body);

    /// <summary>An approval by an account deleted since.</summary>
    public void AddApprovalFromDeletedAccount(long runId, string comment, string environment)
    {
        lock (_lock)
        {
            if (!_approvals.TryGetValue(runId, out var list)) _approvals[runId] = list = [];
            list.Add(new StoredApproval("approved", new GitHubUser(9_999_999, "ghost", false, IsDeleted: true), comment, [environment]));
        }
    }

    /// <summary>A person edits a comment.</summary>
    public void EditComment(long id, string body)
    {
        lock (_lock)
        {
            var comment = _comments.Single(c => c.Id == id);
            comment.Body = body;
            comment.History.Add(body);
            comment.UpdatedAt = Clock.GetUtcNow();
        }
    }

    /// <summary>Called (off the request thread) after every comment is created, the action's own included.</summary>
    public void OnComment(Func<StoredComment, Task> listener)
    {
        lock (_lock) _commentListeners.Add(listener);
    }

    /// <summary>All comments ever made on the issue, deleted ones included.</summary>
    public IReadOnlyList<StoredComment> CommentsOn(int issueNumber)
    {
        lock (_lock) return [.. _comments.Where(c => c.IssueNumber == issueNumber)];
    }

    /// <summary>Spends the hourly budget: until <paramref name="resetIn"/> has passed every counted request gets GitHub's 403 "API rate limit exceeded".</summary>
    public void ExhaustRateLimit(TimeSpan resetIn)
    {
        lock (_lock)
        {
            _remaining = 0;
            ResetAt = Clock.GetUtcNow() + resetIn;
        }
    }

    /// <summary>The next request whose method and path match fails with <paramref name="status"/> (or a dropped connection when 0).</summary>
    public void InjectFault(string method, string pathPattern, int status, int count = 1, IReadOnlyDictionary<string, string>? headers = null, string? message = null)
    {
        for (var i = 0; i < count; i++) _faults.Enqueue(new Fault(method, new Regex(pathPattern), status, headers ?? new Dictionary<string, string>(), message));
    }

    private sealed record Fault(string Method, Regex Path, int Status, IReadOnlyDictionary<string, string> Headers, string? Message);

    private StoredComment CreateComment(int issueNumber, GitHubUser user, string body)
    {
        StoredComment comment;
        Func<StoredComment, Task>[] listeners;
        lock (_lock)
        {
            var now = Clock.GetUtcNow();
            comment = new StoredComment { Id = ++_nextCommentId, IssueNumber = issueNumber, User = user, Body = body, CreatedAt = now, UpdatedAt = now };
            comment.History.Add(body);
            _comments.Add(comment);
            listeners = [.. _commentListeners];
        }
        foreach (var listener in listeners)
            _ = Task.Run(async () => { await Task.Delay(10); await listener(comment); });
        return comment;
    }
}
