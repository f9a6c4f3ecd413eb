using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TfMfa.StandIns.AzureDevOps;

/// <summary>
/// A local Azure DevOps Services REST API (api-version 7.1) on 127.0.0.1, serving what the TfMfa
/// task calls, statefully: pull requests with threads whose comment ids restart in each thread and
/// whose deletes are soft (<c>isDeleted</c>), pullrequestquery, the items API, connectionData,
/// identities, Git Repositories ACLs with <c>extendedInfo</c>, the build timeline and approvals.
/// Like the service: a bad token gets the HTML sign-in page (203), throttling answers 429 with
/// <c>Retry-After</c> and the <c>X-RateLimit-*</c> headers and a TF400733 message, errors carry
/// <c>{"message": "TF...", "typeKey": ...}</c>. The organisation's policy on deleting another
/// person's comment is a switch (<see cref="BuildIdentityMayDeleteOthersComments"/>).
/// </summary>
public sealed class AzureDevOpsStandIn : IAsyncDisposable
{
    public const string Organization = "contoso";
    public const string ProjectName = "infra";
    public const string RepositoryName = "infra";

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly ConcurrentQueue<AzureRequestRecord> _requests = new();
    private readonly Dictionary<string, AzureIdentity> _identities = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, StoredAzurePullRequest> _pullRequests = [];
    private readonly Dictionary<(string Branch, string Path), string> _files = [];
    private readonly List<StoredApproval> _approvals = [];
    private readonly ConcurrentQueue<(int Status, TimeSpan RetryAfter)> _throttles = new();
    private readonly Dictionary<string, List<AzureIdentity>> _teams = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, StoredBuild> _builds = [];

    /// <summary>A build of the project, as Builds - Get shows it.</summary>
    /// <param name="status">notStarted, inProgress, cancelling, postponed or completed.</param>
    public void SetBuild(long id, string status = "inProgress", string? result = null)
    {
        lock (_lock) _builds[id] = new StoredBuild(id, status, result, DateTimeOffset.UtcNow);
    }

    private AzureDevOpsStandIn(WebApplication app, string token)
    {
        _app = app;
        Token = token;
        BuildIdentity = AddIdentity($"Build\\{Guid.NewGuid()}", "infra Build Service (contoso)", allow: 2 | 4);
    }

    public string Token { get; }
    public string ProjectId { get; } = "8f0b2c6e-4d1a-4c55-9a3e-1f2b3c4d5e6f";
    public string RepositoryId { get; } = "3a9d7c21-5b6e-4f80-a1b2-c3d4e5f60718";
    public string DefaultBranch { get; set; } = "refs/heads/main";

    /// <summary>private or public, as the project's visibility.</summary>
    public string Visibility { get; set; } = "private";

    /// <summary>The job's identity: connectionData names it, and it writes the task's comments.</summary>
    public AzureIdentity BuildIdentity { get; }

    /// <summary>Whether the build identity may delete a comment someone else wrote (organisations differ); false answers 403.</summary>
    public bool BuildIdentityMayDeleteOthersComments { get; set; } = true;

    /// <summary>Whether the build identity may read the repository's ACLs; false answers 403.</summary>
    public bool BuildIdentityMayReadAcls { get; set; } = true;

    /// <summary>Whether the build identity may read teams' members; false answers as the service does for a team it cannot see (404).</summary>
    public bool BuildIdentityMayReadTeams { get; set; } = true;

    /// <summary>A team of the project (by name) with these direct members (people or groups).</summary>
    public void AddTeam(string name, params AzureIdentity[] members)
    {
        lock (_lock) _teams[name] = [.. members];
    }

    /// <summary><c>http://127.0.0.1:PORT/contoso/</c>, as SYSTEM_COLLECTIONURI.</summary>
    public string CollectionUri { get; private set; } = "";

    public IReadOnlyList<AzureRequestRecord> Requests => [.. _requests];

    public static async Task<AzureDevOpsStandIn> StartAsync(string token = "azp_job_token_standin")
    {
        var app = LoopbackServer.Create();
        var standIn = new AzureDevOpsStandIn(app, token);
        standIn.CollectionUri = $"{await LoopbackServer.ServeAsync(app, standIn.HandleAsync)}/{Organization}/";
        return standIn;
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);

    // ---- the world, as tests arrange it ----

    /// <param name="allow">Git Repositories bits: 2 Read, 4 Contribute, 8192 ManagePermissions.</param>
    public AzureIdentity AddIdentity(string uniqueName, string? displayName = null, int allow = 2 | 4, bool isContainer = false)
    {
        lock (_lock)
        {
            var id = Guid.NewGuid().ToString();
            var identity = new AzureIdentity(id, uniqueName, displayName ?? uniqueName.Split('@')[0], $"Microsoft.TeamFoundation.Identity;S-1-9-1551374245-{_identities.Count + 1000}", allow, isContainer);
            _identities[id] = identity;
            return identity;
        }
    }

    public AzureIdentity Person(string uniqueName) =>
        _identities.Values.FirstOrDefault(i => i.UniqueName.Equals(uniqueName, StringComparison.OrdinalIgnoreCase)) ?? AddIdentity(uniqueName);

    public void SetFile(string branch, string path, string? content)
    {
        lock (_lock)
        {
            var key = (branch, "/" + path.TrimStart('/'));
            if (content is null) _files.Remove(key); else _files[key] = content;
        }
    }

    /// <summary>A pull request its author created with one commit of their own.</summary>
    public StoredAzurePullRequest AddPullRequest(int id, string author, string? forkRepository = null, string? mergeCommit = null)
    {
        var pr = new StoredAzurePullRequest(id, Person(author), "refs/heads/feature", forkRepository) { MergeCommit = mergeCommit };
        lock (_lock) _pullRequests[id] = pr;
        Push(id, author, reason: "create");
        return pr;
    }

    /// <summary>
    /// <paramref name="pusher"/> pushes a commit to the pull request's source branch: a new iteration
    /// pushed by them, and a commit whose git identities are theirs unless given (git takes any name and email).
    /// </summary>
    public StoredAzureCommit Push(int pullRequest, string pusher, string? authorEmail = null, string? committerEmail = null, string reason = "push")
    {
        lock (_lock)
        {
            var pr = _pullRequests[pullRequest];
            var who = Person(pusher);
            var commitId = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes($"{pullRequest}/{pr.Commits.Count}/{pusher}")));
            var author = authorEmail ?? who.UniqueName;
            var committer = committerEmail ?? author;
            var commit = new StoredAzureCommit(commitId, author.Split('@')[0], author, committer.Split('@')[0], committer, DateTimeOffset.UtcNow);
            pr.Commits.Insert(0, commit);
            var iteration = pr.Iterations.Count + 1;
            pr.Iterations.Add(new StoredIteration(iteration, who, _nextPushId++, who, reason, commitId, DateTimeOffset.UtcNow));
            return commit;
        }
    }

    private int _nextPushId = 100;

    /// <summary>A person writes a new thread (as answering a request is usually done) with one comment.</summary>
    public StoredAzureComment PostThread(int pullRequest, string uniqueName, string content, string commentType = "text")
    {
        lock (_lock)
        {
            var pr = _pullRequests[pullRequest];
            var thread = new StoredThread(pr.NextThreadId++, DateTimeOffset.UtcNow);
            pr.Threads.Add(thread);
            return AddComment(thread, Person(uniqueName), content, 0, commentType);
        }
    }

    /// <summary>A person replies inside a thread.</summary>
    public StoredAzureComment Reply(int pullRequest, int threadId, string uniqueName, string content)
    {
        lock (_lock) return AddComment(_pullRequests[pullRequest].Threads.Single(t => t.Id == threadId), Person(uniqueName), content, 1, "text");
    }

    public void EditComment(StoredAzureComment comment, string content)
    {
        lock (_lock)
        {
            comment.Content = content;
            comment.History.Add(content);
            comment.LastContentUpdated = comment.LastUpdated = DateTimeOffset.UtcNow;
        }
    }

    public IReadOnlyList<StoredThread> Threads(int pullRequest)
    {
        lock (_lock) return [.. _pullRequests[pullRequest].Threads];
    }

    public void AddApproval(string stage, long buildId, string uniqueName, string comment, string status = "approved")
    {
        lock (_lock) _approvals.Add(new StoredApproval(Guid.NewGuid().ToString(), stage, buildId, status, Person(uniqueName), comment, DateTimeOffset.UtcNow));
    }

    /// <summary>The next <paramref name="count"/> requests are throttled: 429 with Retry-After.</summary>
    public void Throttle(int count, TimeSpan retryAfter)
    {
        for (var i = 0; i < count; i++) _throttles.Enqueue((429, retryAfter));
    }

    private StoredAzureComment AddComment(StoredThread thread, AzureIdentity author, string content, int parent, string commentType)
    {
        var comment = new StoredAzureComment(thread.NextCommentId++, parent, author, content, DateTimeOffset.UtcNow, commentType);
        thread.Comments.Add(comment);
        return comment;
    }

    // ---- the API ----

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        string? body = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
            body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
        var (status, answer) = Answer(http, body);
        var text = answer switch { string html => html, JsonNode json => json.ToJsonString(), _ => null };
        _requests.Enqueue(new AzureRequestRecord(request.Method, request.Path + request.QueryString, status, body, DateTimeOffset.UtcNow,
            text is null ? 0 : Encoding.UTF8.GetByteCount(text)));
        http.Response.StatusCode = status;
        if (text is not null)
        {
            http.Response.ContentType = answer is string ? "text/html; charset=utf-8" : "application/json; charset=utf-8; api-version=7.1";
            await http.Response.WriteAsync(text);
        }
    }

    private (int Status, object? Body) Answer(HttpContext http, string? body)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        if (auth != $"Bearer {Token}")
            // What the service gives a token it does not accept: its sign-in page, not a JSON error.
            return (203, "<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body><form action=\"https://login.microsoftonline.com/\">Sign in to your account</form></body></html>");

        if (_throttles.TryDequeue(out var throttle))
        {
            var headers = http.Response.Headers;
            headers.RetryAfter = ((int)throttle.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            headers["X-RateLimit-Resource"] = "Core";
            headers["X-RateLimit-Delay"] = "1.500";
            headers["X-RateLimit-Limit"] = "200";
            headers["X-RateLimit-Remaining"] = "0";
            headers["X-RateLimit-Reset"] = DateTimeOffset.UtcNow.Add(throttle.RetryAfter).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return (throttle.Status, Error("TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.", "RequestBlockedException"));
        }

        var segments = http.Request.Path.Value!.Trim('/').Split('/').Select(Uri.UnescapeDataString).ToArray();
        var query = http.Request.Query;
        if (segments.Length < 3 || !segments[0].Equals(Organization, StringComparison.OrdinalIgnoreCase))
            return NotFound("The resource cannot be found.");
        if (segments is [_, "_apis", "connectionData"])
            return (200, new JsonObject { ["authenticatedUser"] = IdentityJson(BuildIdentity), ["authorizedUser"] = IdentityJson(BuildIdentity), ["instanceId"] = Guid.Empty.ToString() });

        if (query["api-version"].Count == 0)
            return (400, Error($"No api-version was supplied for the \"{http.Request.Method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0').", "VssVersionNotSpecifiedException"));

        lock (_lock)
        {
            if (segments is [_, "_apis", "identities"]) return Identities(query["identityIds"].ToString());
            if (segments is [_, "_apis", "accesscontrollists", var ns]) return Acls(ns, query["token"].ToString(), query["descriptors"].ToString());
            if (segments is [_, "_apis", "projects", var project, "teams", var team, "members"]) return TeamMembers(project, team, query);

            if (!segments[1].Equals(ProjectName, StringComparison.OrdinalIgnoreCase) && !segments[1].Equals(ProjectId, StringComparison.OrdinalIgnoreCase))
                return NotFound($"TF200016: The following project does not exist: {segments[1]}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException");
            var rest = segments[2..];
            return rest switch
            {
                ["_apis", "git", "repositories", var repo, .. var tail] when IsRepository(repo) => Git(http, tail, body),
                ["_apis", "git", "repositories", var repo, ..] => NotFound($"TF401019: The Git repository with name or identifier {repo} does not exist or you do not have permissions for the operation you are attempting.", "GitRepositoryNotFoundException"),
                ["_apis", "build", "builds", var build, "timeline"] => Timeline(long.Parse(build, CultureInfo.InvariantCulture)),
                ["_apis", "build", "builds", var build] when http.Request.Method == "GET" => Build(build),
                ["_apis", "pipelines", "approvals", var id] => Approval(id),
                _ => NotFound("The resource cannot be found."),
            };
        }
    }

    private bool IsRepository(string repo) => repo.Equals(RepositoryId, StringComparison.OrdinalIgnoreCase) || repo.Equals(RepositoryName, StringComparison.OrdinalIgnoreCase);

    private (int, object?) Git(HttpContext http, string[] tail, string? body)
    {
        var method = http.Request.Method;
        var query = http.Request.Query;
        switch (tail)
        {
            case [] when method == "GET":
                return (200, new JsonObject
                {
                    ["id"] = RepositoryId, ["name"] = RepositoryName, ["defaultBranch"] = DefaultBranch,
                    ["project"] = new JsonObject { ["id"] = ProjectId, ["name"] = ProjectName, ["visibility"] = Visibility, ["state"] = "wellFormed" },
                    ["isDisabled"] = false,
                });
            case ["items"] when method == "GET":
            {
                var path = "/" + query["path"].ToString().TrimStart('/');
                var branch = query["versionDescriptor.version"].ToString();
                if (!_files.TryGetValue((branch, path), out var content))
                    return NotFound($"TF401174: The item '{path}' could not be found in the repository '{RepositoryName}' at the version specified by '<Branch: {branch} >' (resolved to commit '0000000000000000000000000000000000000000').", "GitItemNotFoundException");
                var item = new JsonObject { ["objectId"] = (Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"))[..40], ["gitObjectType"] = "blob", ["commitId"] = "c0ffee", ["path"] = path };
                if (query["includeContent"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase)) item["content"] = content;
                return (200, item);
            }
            case ["pullrequestquery"] when method == "POST":
            {
                var queries = JsonNode.Parse(body ?? "{}")?["queries"]?.AsArray() ?? [];
                var results = new JsonArray();
                foreach (var q in queries)
                {
                    var result = new JsonObject();
                    foreach (var sha in q?["items"]?.AsArray() ?? [])
                        result[sha!.GetValue<string>()] = new JsonArray([.. _pullRequests.Values.Where(p => p.MergeCommit == sha.GetValue<string>()).Select(PullRequestJson)]);
                    results.Add(result);
                }
                return (200, new JsonObject { ["queries"] = JsonNode.Parse(queries.ToJsonString()), ["results"] = results });
            }
            // Get Pull Request Commits: $top per page, the next page's token in x-ms-continuationtoken.
            case ["pullRequests", var prText, "commits"] when method == "GET" && int.TryParse(prText, out var prId) && _pullRequests.TryGetValue(prId, out var withCommits):
            {
                var top = int.TryParse(query["$top"], out var t) ? Math.Clamp(t, 1, 1000) : 100;
                var skip = int.TryParse(query["continuationToken"], out var c) ? c : 0;
                if (skip + top < withCommits.Commits.Count) http.Response.Headers["x-ms-continuationtoken"] = (skip + top).ToString(CultureInfo.InvariantCulture);
                return (200, List(withCommits.Commits.Skip(skip).Take(top).Select(CommitJson)));
            }
            case ["pullRequests", var idText, .. var rest]:
                if (!int.TryParse(idText, out var id) || !_pullRequests.TryGetValue(id, out var pr))
                    return NotFound($"TF401180: The requested pull request was not found.", "GitPullRequestNotFoundException");
                return PullRequest(pr, method, rest, body);
        }
        return NotFound("The resource cannot be found.");
    }

    private (int, object?) PullRequest(StoredAzurePullRequest pr, string method, string[] rest, string? body)
    {
        switch (rest)
        {
            case [] when method == "GET": return (200, PullRequestJson(pr));
            case ["iterations"] when method == "GET": return (200, List(pr.Iterations.Select(IterationJson)));
            case ["threads"] when method == "GET":
                return (200, List(pr.Threads.Select(ThreadJson)));
            case ["threads"] when method == "POST":
            {
                var input = JsonNode.Parse(body ?? "{}");
                var thread = new StoredThread(pr.NextThreadId++, DateTimeOffset.UtcNow) { Status = input?["status"]?.ToString() ?? "active" };
                foreach (var c in input?["comments"]?.AsArray() ?? [])
                    AddComment(thread, BuildIdentity, c?["content"]?.ToString() ?? "", 0, c?["commentType"]?.ToString() ?? "text");
                pr.Threads.Add(thread);
                return (200, ThreadJson(thread));
            }
            case ["threads", var t, ..] when !int.TryParse(t, out _) || pr.Threads.All(x => x.Id != int.Parse(t, CultureInfo.InvariantCulture)):
                return NotFound($"TF401181: The pull request thread with ID {t} was not found.", "GitPullRequestCommentThreadNotFoundException");
            case ["threads", var t] when method == "GET":
                return (200, ThreadJson(pr.Threads.Single(x => x.Id == int.Parse(t, CultureInfo.InvariantCulture))));
            case ["threads", var t] when method == "PATCH":
            {
                var thread = pr.Threads.Single(x => x.Id == int.Parse(t, CultureInfo.InvariantCulture));
                if (JsonNode.Parse(body ?? "{}")?["status"]?.ToString() is { } status) thread.Status = status;
                return (200, ThreadJson(thread));
            }
            case ["threads", var t, "comments"]:
            {
                var thread = pr.Threads.Single(x => x.Id == int.Parse(t, CultureInfo.InvariantCulture));
                if (method == "GET") return (200, List(thread.Comments.Select(CommentJson)));
                if (method != "POST") break;
                var input = JsonNode.Parse(body ?? "{}");
                var comment = AddComment(thread, BuildIdentity, input?["content"]?.ToString() ?? "", input?["parentCommentId"]?.GetValue<int>() ?? 0, input?["commentType"]?.ToString() ?? "text");
                return (200, CommentJson(comment));
            }
            case ["threads", var t, "comments", var c]:
            {
                var thread = pr.Threads.Single(x => x.Id == int.Parse(t, CultureInfo.InvariantCulture));
                var comment = thread.Comments.FirstOrDefault(x => x.Id.ToString(CultureInfo.InvariantCulture) == c);
                if (comment is null)
                    return NotFound($"TF401182: The pull request comment with ID {c} in thread {t} was not found.", "GitPullRequestCommentNotFoundException");
                var own = comment.Author.Id == BuildIdentity.Id;
                switch (method)
                {
                    case "GET": return (200, CommentJson(comment));
                    case "PATCH":
                        if (!own) return (403, Error("TF401027: You need the Git 'PullRequestContribute' permission to perform this action.", "GitNeedsPermissionException"));
                        if (JsonNode.Parse(body ?? "{}")?["content"]?.ToString() is { } content) EditComment(comment, content);
                        return (200, CommentJson(comment));
                    case "DELETE":
                        if (!own && !BuildIdentityMayDeleteOthersComments)
                            return (403, Error("TF401027: You need the Git 'PullRequestContribute' permission to perform this action. Details: identity 'Build\\...', scope 'repository'.", "GitNeedsPermissionException"));
                        // Soft delete: the comment stays in the thread, flagged and emptied. A second delete answers the same.
                        comment.IsDeleted = true;
                        comment.Content = "";
                        comment.LastUpdated = DateTimeOffset.UtcNow;
                        return (200, null);
                }
                break;
            }
        }
        return (405, Error($"The requested resource does not support http method '{method}'.", "HttpMethodNotSupported"));
    }

    private (int, object?) Identities(string ids)
    {
        var found = ids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(id => _identities.GetValueOrDefault(id.Trim())).OfType<AzureIdentity>();
        return (200, List(found.Select(i => (JsonNode)new JsonObject
        {
            ["id"] = i.Id, ["descriptor"] = i.Descriptor, ["subjectDescriptor"] = "aad." + i.Id.Replace("-", "", StringComparison.Ordinal),
            ["providerDisplayName"] = i.DisplayName, ["isActive"] = true, ["isContainer"] = i.IsContainer,
            ["properties"] = new JsonObject { ["Account"] = new JsonObject { ["$type"] = "System.String", ["$value"] = i.UniqueName } },
        })));
    }

    /// <summary>
    /// Teams - Get Team Members With Extended Properties: direct members only, paged by <c>$top</c>
    /// and <c>$skip</c> (the service's default page is 100). A team that does not exist and one the
    /// caller may not see get the same 404, as on the service.
    /// </summary>
    private (int, object?) TeamMembers(string project, string team, IQueryCollection query)
    {
        if (!project.Equals(ProjectName, StringComparison.OrdinalIgnoreCase) && !project.Equals(ProjectId, StringComparison.OrdinalIgnoreCase))
            return NotFound($"TF200016: The following project does not exist: {project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException");
        if (!BuildIdentityMayReadTeams || !_teams.TryGetValue(team, out var members))
            return NotFound($"The team with id '{team}' does not exist, or you do not have permission to access it.", "TeamNotFoundException");
        var top = int.TryParse(query["$top"], CultureInfo.InvariantCulture, out var t) && t > 0 ? t : 100;
        var skip = int.TryParse(query["$skip"], CultureInfo.InvariantCulture, out var k) && k > 0 ? k : 0;
        return (200, List(members.Skip(skip).Take(top).Select(m => (JsonNode)new JsonObject { ["isTeamAdmin"] = false, ["identity"] = IdentityJson(m) })));
    }

    private (int, object?) Acls(string ns, string token, string descriptors)
    {
        if (!ns.Equals("2e9eb7ed-3c0a-47d4-87c1-0ffdd275fd87", StringComparison.OrdinalIgnoreCase))
            return NotFound($"TF50608: The security namespace {ns} does not exist.", "InvalidSecurityNamespaceException");
        if (!BuildIdentityMayReadAcls)
            return (403, Error($"TF50309: The following account does not have sufficient permissions to complete the operation: {BuildIdentity.DisplayName}. The following permissions are needed to perform this operation: Read.", "AccessCheckException"));
        if (token != $"repoV2/{ProjectId}/{RepositoryId}")
            return (200, List([]));
        var aces = new JsonObject();
        foreach (var descriptor in descriptors.Split(',', StringSplitOptions.RemoveEmptyEntries))
            if (_identities.Values.FirstOrDefault(i => i.Descriptor.Equals(descriptor, StringComparison.OrdinalIgnoreCase)) is { } identity)
                aces[identity.Descriptor] = new JsonObject
                {
                    ["descriptor"] = identity.Descriptor, ["allow"] = 0, ["deny"] = 0,
                    ["extendedInfo"] = new JsonObject { ["effectiveAllow"] = identity.Allow, ["effectiveDeny"] = 0, ["inheritedAllow"] = identity.Allow },
                };
        return (200, List([new JsonObject { ["inheritPermissions"] = true, ["token"] = token, ["acesDictionary"] = aces }]));
    }

    private (int, object?) Timeline(long buildId)
    {
        var records = new JsonArray();
        foreach (var stage in _approvals.Select(a => a.StageIdentifier).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var stageId = Guid.NewGuid().ToString();
            records.Add(new JsonObject { ["id"] = stageId, ["parentId"] = null, ["type"] = "Stage", ["name"] = stage, ["identifier"] = stage, ["state"] = "inProgress" });
            foreach (var approval in _approvals.Where(a => a.StageIdentifier.Equals(stage, StringComparison.OrdinalIgnoreCase)))
            {
                var checkpointId = Guid.NewGuid().ToString();
                records.Add(new JsonObject { ["id"] = checkpointId, ["parentId"] = stageId, ["type"] = "Checkpoint", ["name"] = "Checkpoint", ["state"] = "completed" });
                records.Add(new JsonObject
                {
                    ["id"] = approval.Id, ["parentId"] = checkpointId, ["type"] = "Checkpoint.Approval", ["name"] = "Approval", ["state"] = "completed",
                    ["result"] = approval.Status == "approved" ? "succeeded" : "failed", ["lastModified"] = approval.At.ToString("O"),
                });
            }
        }
        return (200, new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["changeId"] = 1, ["records"] = records });
    }

    /// <summary>Builds - Get: a build the project does not have answers 404 with the service's message.</summary>
    private (int, object?) Build(string idText)
    {
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !_builds.TryGetValue(id, out var build))
            return NotFound($"The requested build {idText} could not be found.", "BuildNotFoundException");
        return (200, new JsonObject
        {
            ["id"] = build.Id, ["buildNumber"] = $"20261201.{build.Id % 100}", ["status"] = build.Status, ["result"] = build.Result,
            ["queueTime"] = build.QueuedAt.ToString("O"), ["startTime"] = build.QueuedAt.ToString("O"),
            ["finishTime"] = build.Status == "completed" ? DateTimeOffset.UtcNow.ToString("O") : null,
            ["definition"] = new JsonObject { ["id"] = 12, ["name"] = "infra" },
            ["project"] = new JsonObject { ["id"] = ProjectId, ["name"] = ProjectName },
            ["reason"] = "pullRequest", ["sourceVersion"] = "9c1e5d7f3a2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d",
            ["requestedFor"] = IdentityJson(BuildIdentity),
        });
    }

    private (int, object?) Approval(string id)
    {
        var approval = _approvals.FirstOrDefault(a => a.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
        if (approval is null)
            return NotFound($"Approval with id {id} not found.", "ApprovalNotFoundException");
        return (200, new JsonObject
        {
            ["id"] = approval.Id, ["status"] = approval.Status, ["createdOn"] = approval.At.ToString("O"), ["lastModifiedOn"] = approval.At.ToString("O"),
            ["executionOrder"] = "anyOrder", ["minRequiredApprovers"] = 1, ["blockedApprovers"] = new JsonArray(),
            ["steps"] = new JsonArray(new JsonObject
            {
                ["assignedApprover"] = approval.Approver is null ? null : IdentityJson(approval.Approver),
                ["actualApprover"] = approval.Approver is null ? null : IdentityJson(approval.Approver),
                ["status"] = approval.Status, ["comment"] = approval.Comment, ["lastModifiedOn"] = approval.At.ToString("O"),
            }),
            ["pipeline"] = new JsonObject { ["id"] = "12", ["name"] = "infra", ["owner"] = new JsonObject { ["id"] = approval.OwnerBuildId, ["name"] = "20261201.1" } },
        });
    }

    private JsonObject PullRequestJson(StoredAzurePullRequest pr)
    {
        var json = new JsonObject
        {
            ["pullRequestId"] = pr.Id, ["status"] = pr.Status, ["createdBy"] = IdentityJson(pr.CreatedBy),
            ["sourceRefName"] = pr.SourceRef, ["targetRefName"] = DefaultBranch,
            ["repository"] = new JsonObject { ["id"] = RepositoryId, ["name"] = RepositoryName },
            ["reviewers"] = new JsonArray(),
        };
        if (pr.MergeCommit is not null) json["lastMergeCommit"] = new JsonObject { ["commitId"] = pr.MergeCommit };
        if (pr.ForkRepository is not null) json["forkSource"] = new JsonObject { ["name"] = pr.SourceRef, ["repository"] = new JsonObject { ["name"] = pr.ForkRepository } };
        return json;
    }

    private JsonNode CommitJson(StoredAzureCommit commit) => new JsonObject
    {
        ["commitId"] = commit.CommitId,
        ["author"] = new JsonObject { ["name"] = commit.AuthorName, ["email"] = commit.AuthorEmail, ["date"] = commit.Date.ToString("O") },
        ["committer"] = new JsonObject { ["name"] = commit.CommitterName, ["email"] = commit.CommitterEmail, ["date"] = commit.Date.ToString("O") },
        ["comment"] = "Change", ["url"] = $"https://dev.azure.com/{Organization}/{ProjectId}/_apis/git/repositories/{RepositoryId}/commits/{commit.CommitId}",
    };

    private static JsonNode IterationJson(StoredIteration iteration) => new JsonObject
    {
        ["id"] = iteration.Id, ["description"] = "Change", ["author"] = IdentityJson(iteration.Author),
        ["createdDate"] = iteration.Date.ToString("O"), ["updatedDate"] = iteration.Date.ToString("O"),
        ["sourceRefCommit"] = new JsonObject { ["commitId"] = iteration.SourceCommit },
        ["targetRefCommit"] = new JsonObject { ["commitId"] = "0000000000000000000000000000000000000000" },
        ["hasMoreCommits"] = false, ["reason"] = iteration.Reason,
        ["push"] = new JsonObject { ["pushId"] = iteration.PushId, ["date"] = iteration.Date.ToString("O"), ["pushedBy"] = IdentityJson(iteration.PushedBy) },
    };

    private static JsonObject ThreadJson(StoredThread thread) => new()
    {
        ["id"] = thread.Id, ["publishedDate"] = thread.Published.ToString("O"),
        ["lastUpdatedDate"] = (thread.Comments.Count == 0 ? thread.Published : thread.Comments.Max(c => c.LastUpdated)).ToString("O"),
        ["status"] = thread.Status, ["isDeleted"] = thread.Comments.Count > 0 && thread.Comments.All(c => c.IsDeleted),
        ["comments"] = new JsonArray([.. thread.Comments.Select(CommentJson)]),
        ["properties"] = new JsonObject(),
    };

    private static JsonNode CommentJson(StoredAzureComment c)
    {
        var json = new JsonObject
        {
            ["id"] = c.Id, ["parentCommentId"] = c.ParentCommentId, ["author"] = IdentityJson(c.Author), ["content"] = c.Content,
            ["publishedDate"] = c.Published.ToString("O"), ["lastUpdatedDate"] = c.LastUpdated.ToString("O"),
            ["lastContentUpdatedDate"] = c.LastContentUpdated.ToString("O"), ["commentType"] = c.CommentType,
        };
        if (c.IsDeleted) json["isDeleted"] = true;
        return json;
    }

    private static JsonObject IdentityJson(AzureIdentity identity) => new()
    {
        ["displayName"] = identity.DisplayName, ["id"] = identity.Id, ["uniqueName"] = identity.UniqueName,
        ["descriptor"] = "aad." + identity.Id.Replace("-", "", StringComparison.Ordinal), ["isContainer"] = identity.IsContainer ? true : null,
    };

    private static JsonObject List(IEnumerable<JsonNode> items)
    {
        var array = new JsonArray([.. items]);
        return new JsonObject { ["count"] = array.Count, ["value"] = array };
    }

    private static JsonObject Error(string message, string typeKey) => new()
    {
        ["$id"] = "1", ["innerException"] = null, ["message"] = message, ["typeName"] = $"Microsoft.TeamFoundation.{typeKey}, Microsoft.TeamFoundation",
        ["typeKey"] = typeKey, ["errorCode"] = 0, ["eventId"] = 3000,
    };

    private static (int, object?) NotFound(string message, string typeKey = "ResourceNotFoundException") => (404, Error(message, typeKey));
}
