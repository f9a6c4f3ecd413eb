using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace TfMfa.StandIns.GitHub;

public sealed partial class GitHubStandIn
{
    /// <param name="errors">A 422's field errors, as GitHub lists them under <c>errors</c>.</param>
    private sealed class ApiError(int status, string message, string documentation = "https://docs.github.com/rest", JsonArray? errors = null) : Exception(message)
    {
        public int Status { get; } = status;
        public string Documentation { get; } = documentation;
        public JsonArray? Errors { get; } = errors;
    }

    private sealed record Answer(int Status, JsonNode? Json, string? Text = null, string ContentType = "application/json; charset=utf-8", string? Link = null);

    private async Task HandleAsync(HttpContext context)
    {
        // A round trip: half on the way in, half on the way out.
        var halfTrip = Latency / 2;
        if (halfTrip > TimeSpan.Zero) await Task.Delay(halfTrip);
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/api/v3/", StringComparison.Ordinal)) path = path["/api/v3".Length..];
        var status = 0;
        var counted = false;
        var recorded = 0;
        // Recorded before the answer leaves, so a test that reads Requests right after a call sees it.
        void Record()
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
                _requests.Enqueue(new GitHubRequestRecord(Clock.GetUtcNow(), request.Method, path + request.QueryString.Value, status, counted));
        }
        context.Response.OnStarting(() => { Record(); return Task.CompletedTask; });
        try
        {
            if (_faults.TryPeek(out var fault) && fault.Method == request.Method && fault.Path.IsMatch(path) && _faults.TryDequeue(out fault))
            {
                counted = true;
                if (fault.Status == 0)
                {
                    status = 0;
                    Record();
                    context.Abort();
                    return;
                }
                foreach (var (name, value) in fault.Headers) context.Response.Headers[name] = value;
                throw new ApiError(fault.Status, fault.Message ?? (fault.Status >= 500 ? "Server Error" : "Fault"));
            }

            Authenticate(request);
            bool exhausted;
            lock (_lock) exhausted = _remaining == 0 && Clock.GetUtcNow() < ResetAt;
            if (exhausted)
                throw new ApiError(403, "API rate limit exceeded for installation ID 4242.", "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting");
            var body = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0
                ? await JsonNode.ParseAsync(request.Body)
                : null;
            var answer = Route(request.Method, path, request, body);

            var bytes = answer.Text is not null ? Encoding.UTF8.GetBytes(answer.Text)
                : answer.Json is not null ? Encoding.UTF8.GetBytes(answer.Json.ToJsonString()) : [];
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..40]}\"";
            if (HttpMethods.IsGet(request.Method) && answer.Status == 200 && request.Headers.IfNoneMatch.ToString() == etag)
            {
                // A conditional hit: GitHub does not count it against the rate limit.
                status = 304;
                if (halfTrip > TimeSpan.Zero) await Task.Delay(halfTrip);
                WriteRateHeaders(context.Response);
                context.Response.StatusCode = 304;
                context.Response.Headers.ETag = etag;
                return;
            }

            counted = true;
            status = answer.Status;
            if (halfTrip > TimeSpan.Zero) await Task.Delay(halfTrip);
            SpendRateLimit(context.Response);
            context.Response.StatusCode = answer.Status;
            if (HttpMethods.IsGet(request.Method) && answer.Status == 200) context.Response.Headers.ETag = etag;
            if (answer.Link is not null) context.Response.Headers["Link"] = answer.Link;
            if (bytes.Length > 0)
            {
                context.Response.ContentType = answer.ContentType;
                await context.Response.Body.WriteAsync(bytes);
            }
        }
        catch (ApiError error)
        {
            status = error.Status;
            if (error.Status != 401) { counted = true; SpendRateLimit(context.Response); }
            context.Response.StatusCode = error.Status;
            context.Response.ContentType = "application/json; charset=utf-8";
            var json = new JsonObject { ["message"] = error.Message };
            if (error.Errors is not null) json["errors"] = error.Errors;
            json["documentation_url"] = error.Documentation;
            json["status"] = error.Status.ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsync(json.ToJsonString());
        }
        finally
        {
            Record();
        }
    }

    /// <summary>Which token signed the request in flight: the org-reading one may read team membership.</summary>
    private static readonly AsyncLocal<bool> SignedByOrgReader = new();

    /// <summary>Who the token of the request in flight belongs to: what it writes is theirs (the job's token writes as github-actions[bot]).</summary>
    private static readonly AsyncLocal<GitHubUser?> SignedAs = new();

    private void Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.Length == 0) throw new ApiError(401, "Requires authentication", "https://docs.github.com/rest");
        var token = (header.StartsWith("token ", StringComparison.OrdinalIgnoreCase) ? header[6..]
            : header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..] : "").Trim();
        static bool Same(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
        SignedByOrgReader.Value = Same(token, OrgReaderToken);
        GitHubUser? personal;
        lock (_lock) personal = _personalTokens.FirstOrDefault(p => Same(token, p.Key)).Value;
        SignedAs.Value = personal ?? Bot;
        if (!SignedByOrgReader.Value && personal is null && !Same(token, Token))
            throw new ApiError(401, "Bad credentials", "https://docs.github.com/rest");
    }

    private void SpendRateLimit(HttpResponse response)
    {
        lock (_lock)
        {
            if (Clock.GetUtcNow() >= ResetAt) { _remaining = HourlyLimit; ResetAt = Clock.GetUtcNow().AddHours(1); }
            if (_remaining > 0) _remaining--;
        }
        WriteRateHeaders(response);
    }

    private void WriteRateHeaders(HttpResponse response)
    {
        response.Headers["x-ratelimit-limit"] = HourlyLimit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-remaining"] = _remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-reset"] = ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-used"] = (HourlyLimit - _remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-ratelimit-resource"] = "core";
    }

    [GeneratedRegex(@"^/repos/(?<owner>[^/]+)/(?<repo>[^/]+)(?<rest>/.*)?$")]
    private static partial Regex RepoPath();

    private Answer Route(string method, string path, HttpRequest request, JsonNode? body)
    {
        // GET /orgs/{org}/teams/{team_slug}/memberships/{username}: the job's GITHUB_TOKEN (an installation
        // token of the Actions app) has no Members permission, so GitHub refuses it with 403.
        if (method == "GET" && path.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["orgs", var org, "teams", var slug, "memberships", var member])
        {
            if (!SignedByOrgReader.Value)
                throw new ApiError(403, "Resource not accessible by integration", "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user");
            lock (_lock)
                return _teams.TryGetValue($"{org}/{slug}", out var members) && members.Contains(Uri.UnescapeDataString(member))
                    ? new Answer(200, new JsonObject { ["url"] = $"{Url}{path}", ["role"] = "member", ["state"] = "active" })
                    : throw new ApiError(404, "Not Found", "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user");
        }
        var match = RepoPath().Match(path);
        if (!match.Success || !match.Groups["owner"].Value.Equals(Owner, StringComparison.OrdinalIgnoreCase)
                            || !match.Groups["repo"].Value.Equals(Repository, StringComparison.OrdinalIgnoreCase))
            throw new ApiError(404, "Not Found");
        var rest = match.Groups["rest"].Value;
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);

        // Creating a comment notifies listeners, so it runs outside the lock.
        if (method == "POST" && segments is ["issues", var issue, "comments"])
            return new Answer(201, CommentJson(CreateComment(int.Parse(issue, CultureInfo.InvariantCulture), SignedAs.Value ?? Bot, BodyText(body))));

        lock (_lock)
        {
            return (method, segments) switch
            {
                ("GET", []) => new Answer(200, RepositoryJson()),
                ("GET", ["contents", ..]) => Contents(string.Join('/', segments[1..].Select(Uri.UnescapeDataString)), request),
                ("GET", ["pulls", var number]) => _pullRequests.TryGetValue(int.Parse(number, CultureInfo.InvariantCulture), out var pull)
                    ? new Answer(200, PullJson(pull)) : throw new ApiError(404, "Not Found"),
                ("GET", ["pulls", var number, "commits"]) => PullRequestCommits(int.Parse(number, CultureInfo.InvariantCulture), request),
                ("GET", ["commits", var sha, "pulls"]) => new Answer(200, new JsonArray([.. _pullRequests.Values.Where(p => p.HeadSha == sha).Select(PullJson)])),
                ("GET", ["actions", "runs", var run, "approvals"]) => new Answer(200, Approvals(long.Parse(run, CultureInfo.InvariantCulture))),
                ("GET", ["actions", "runs", var run]) => WorkflowRun(run),
                ("GET", ["issues", var n, "comments"]) => ListComments(int.Parse(n, CultureInfo.InvariantCulture), request),
                ("GET", ["issues", "comments", var id]) => new Answer(200, CommentJson(Find(id))),
                ("PATCH", ["issues", "comments", var id]) => new Answer(200, CommentJson(Edit(Find(id), BodyText(body)))),
                ("DELETE", ["issues", "comments", var id]) => Delete(Find(id)),
                ("POST", ["issues", "comments", var id, "reactions"]) => React(Find(id), Text(body, "content") ?? ""),
                ("DELETE", ["issues", "comments", var id, "reactions", var reaction]) => Unreact(Find(id), reaction),
                ("POST", ["statuses", var sha]) => CreateStatus(Uri.UnescapeDataString(sha), body),
                ("GET", ["commits", var reference, "statuses"]) => ListStatuses(Uri.UnescapeDataString(reference), request),
                ("GET", ["collaborators", var login, "permission"]) => Permission(Uri.UnescapeDataString(login)),
                _ => throw new ApiError(404, "Not Found"),
            };
        }
    }

    /// <summary>
    /// GET /repos/{owner}/{repo}/actions/runs/{run_id}: a token without the Actions read permission
    /// gets 403, a run that does not exist (or is not this repository's) 404, as on GitHub.
    /// </summary>
    private Answer WorkflowRun(string idText)
    {
        const string documentation = "https://docs.github.com/rest/actions/workflow-runs#get-a-workflow-run";
        if (!TokenMayReadActions)
            throw new ApiError(403, "Resource not accessible by integration", documentation);
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !_runs.TryGetValue(id, out var run))
            throw new ApiError(404, "Not Found", documentation);
        return new Answer(200, new JsonObject
        {
            ["id"] = run.Id, ["name"] = "terraform", ["node_id"] = "WFR_" + run.Id, ["head_branch"] = "feature", ["head_sha"] = run.HeadSha,
            ["path"] = ".github/workflows/terraform.yml", ["run_number"] = run.Id % 1000, ["event"] = "pull_request",
            ["status"] = run.Status, ["conclusion"] = run.Conclusion, ["workflow_id"] = 161335, ["run_attempt"] = 1,
            ["url"] = $"{Url}/repos/{FullName}/actions/runs/{run.Id}", ["html_url"] = $"https://github.com/{FullName}/actions/runs/{run.Id}",
            ["created_at"] = Time(run.CreatedAt), ["updated_at"] = Time(run.UpdatedAt), ["run_started_at"] = Time(run.CreatedAt),
            ["actor"] = UserJson(Bot), ["triggering_actor"] = UserJson(Bot),
            ["repository"] = new JsonObject { ["id"] = 4242, ["name"] = Repository, ["full_name"] = FullName },
            ["head_repository"] = new JsonObject { ["id"] = 4242, ["name"] = Repository, ["full_name"] = FullName },
        });
    }

    private static string BodyText(JsonNode? body) =>
        body?["body"]?.GetValue<string>() is { Length: > 0 } text ? text : throw new ApiError(422, "Validation Failed");

    private StoredComment Find(string id) =>
        _comments.FirstOrDefault(c => c.Id.ToString(CultureInfo.InvariantCulture) == id && !c.Deleted) ?? throw new ApiError(404, "Not Found");

    private StoredComment Edit(StoredComment comment, string body)
    {
        comment.Body = body;
        comment.History.Add(body);
        comment.UpdatedAt = Clock.GetUtcNow();
        return comment;
    }

    private static Answer Delete(StoredComment comment)
    {
        comment.Deleted = true;
        return new Answer(204, null);
    }

    /// <summary>
    /// POST .../issues/comments/{comment_id}/reactions: 201 with a new reaction, or 200 with the one this
    /// identity already made with that content (GitHub keeps one reaction per identity and content).
    /// </summary>
    private Answer React(StoredComment comment, string content)
    {
        if (content is not ("+1" or "-1" or "laugh" or "confused" or "heart" or "hooray" or "rocket" or "eyes"))
            throw new ApiError(422, "Validation Failed", "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment");
        var user = SignedAs.Value ?? Bot;
        var existing = comment.Reactions.FirstOrDefault(r => r.User.Id == user.Id && r.Content == content);
        var reaction = existing ?? new StoredReaction(++_nextReactionId, user, content, Clock.GetUtcNow());
        if (existing is null) comment.Reactions.Add(reaction);
        return new Answer(existing is null ? 201 : 200, new JsonObject
        {
            ["id"] = reaction.Id, ["node_id"] = "REA_" + reaction.Id, ["user"] = UserJson(reaction.User),
            ["content"] = reaction.Content, ["created_at"] = Time(reaction.CreatedAt),
        });
    }

    /// <summary>DELETE .../issues/comments/{comment_id}/reactions/{reaction_id}: 204, or 404 when the comment has no such reaction.</summary>
    private static Answer Unreact(StoredComment comment, string idText)
    {
        var removed = long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && comment.Reactions.RemoveAll(r => r.Id == id) > 0;
        return removed ? new Answer(204, null) : throw new ApiError(404, "Not Found", "https://docs.github.com/rest/reactions/reactions#delete-an-issue-comment-reaction");
    }

    /// <summary>
    /// POST /repos/{owner}/{repo}/statuses/{sha}: 403 for a token without <c>statuses: write</c>; 422 for a
    /// state GitHub does not know or a description over 140 characters; else 201 with the status.
    /// </summary>
    private Answer CreateStatus(string sha, JsonNode? body)
    {
        const string documentation = "https://docs.github.com/rest/commits/statuses#create-a-commit-status";
        if (!TokenMayWriteStatuses)
            throw new ApiError(403, "Resource not accessible by integration", documentation);
        var state = Text(body, "state");
        if (state is not ("error" or "failure" or "pending" or "success"))
            throw new ApiError(422, "Validation Failed", documentation);
        var description = Text(body, "description");
        // GitHub counts characters (code points), not UTF-16 units.
        if (description is not null && description.EnumerateRunes().Count() > 140)
            throw new ApiError(422, "Validation Failed", documentation, new JsonArray(new JsonObject
            {
                ["resource"] = "Status", ["code"] = "custom", ["field"] = "description",
                ["message"] = "description is too long (maximum is 140 characters)",
            }));
        var status = new StoredStatus(++_nextStatusId, sha, state, description, Text(body, "target_url"), Text(body, "context") ?? "default",
            SignedAs.Value ?? Bot, Clock.GetUtcNow());
        if (!_statuses.TryGetValue(sha, out var list)) _statuses[sha] = list = [];
        list.Add(status);
        return new Answer(201, StatusJson(status));
    }

    /// <summary>GET /repos/{owner}/{repo}/commits/{ref}/statuses: newest first, paged like GitHub's lists (30 a page unless per_page says).</summary>
    private Answer ListStatuses(string reference, HttpRequest request)
    {
        var all = (_statuses.GetValueOrDefault(reference) ?? []).AsEnumerable().Reverse().ToList();
        return Paged(all.Select(StatusJson).ToList(), request);
    }

    private JsonObject StatusJson(StoredStatus status) => new()
    {
        ["url"] = $"{Url}/repos/{FullName}/statuses/{status.Sha}", ["avatar_url"] = null,
        ["id"] = status.Id, ["node_id"] = "SC_" + status.Id, ["state"] = status.State, ["description"] = status.Description,
        ["target_url"] = status.TargetUrl, ["context"] = status.Context,
        ["created_at"] = Time(status.CreatedAt), ["updated_at"] = Time(status.CreatedAt), ["creator"] = UserJson(status.Creator),
    };

    /// <summary>A string field of the request body; null when absent, null, or not a string.</summary>
    private static string? Text(JsonNode? body, string name) =>
        body is JsonObject o && o[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    private Answer Permission(string login)
    {
        if (!_users.TryGetValue(login, out var user)) throw new ApiError(404, $"{login} is not a user");
        var role = _roles.GetValueOrDefault(login) ?? "none";
        // permission is the older scale: maintain counts as write, triage as read.
        var permission = role switch { "maintain" => "write", "triage" => "read", _ => role };
        return new Answer(200, new JsonObject { ["permission"] = permission, ["role_name"] = role, ["user"] = UserJson(user) });
    }

    private Answer Contents(string path, HttpRequest request)
    {
        var reference = request.Query["ref"].ToString() is { Length: > 0 } r ? r : DefaultBranch;
        if (!_files.TryGetValue((reference, path), out var content))
            throw new ApiError(404, "Not Found", "https://docs.github.com/rest/repos/contents#get-repository-content");
        if (request.Headers.Accept.ToString().Contains("raw", StringComparison.Ordinal))
            return new Answer(200, null, content, "application/vnd.github.raw; charset=utf-8");
        var bytes = Encoding.UTF8.GetBytes(content);
        // GitHub's object form leaves out files over 1 MB: empty content, encoding "none".
        var complete = bytes.Length <= ContentsApiLimit;
        return new Answer(200, new JsonObject
        {
            ["type"] = "file", ["encoding"] = complete ? "base64" : "none", ["size"] = bytes.Length, ["name"] = Path.GetFileName(path), ["path"] = path,
            ["content"] = complete ? Convert.ToBase64String(bytes) : "", ["sha"] = Convert.ToHexStringLower(SHA1.HashData(bytes)),
            ["url"] = $"{Url}/repos/{FullName}/contents/{path}?ref={reference}",
        });
    }

    private JsonArray Approvals(long runId) =>
        new([.. (_approvals.GetValueOrDefault(runId) ?? []).Select(a => (JsonNode)new JsonObject
        {
            ["environments"] = new JsonArray([.. a.Environments.Select((e, i) => (JsonNode)new JsonObject
            {
                ["id"] = i + 1, ["node_id"] = "EN_" + e, ["name"] = e, ["url"] = $"{Url}/repos/{FullName}/environments/{e}",
                ["html_url"] = $"https://github.com/{FullName}/deployments/activity_log?environments_filter={e}",
                ["created_at"] = Time(Clock.GetUtcNow()), ["updated_at"] = Time(Clock.GetUtcNow()),
            })]),
            ["state"] = a.State,
            ["user"] = a.User.IsDeleted ? null : UserJson(a.User),
            ["comment"] = a.Comment,
        })]);

    private Answer ListComments(int issueNumber, HttpRequest request)
    {
        var since = request.Query["since"].ToString() is { Length: > 0 } s
            ? DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : DateTimeOffset.MinValue;
        var perPage = int.TryParse(request.Query["per_page"], out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(request.Query["page"], out var pg) ? Math.Max(pg, 1) : 1;
        // GitHub's timestamps have whole seconds, and since compares them.
        var all = _comments.Where(c => c.IssueNumber == issueNumber && !c.Deleted && Truncate(c.UpdatedAt) >= since).OrderBy(c => c.Id).ToList();
        var items = all.Skip((page - 1) * perPage).Take(perPage).Select(CommentJson).ToArray();

        string? link = null;
        var pages = Math.Max(1, (all.Count + perPage - 1) / perPage);
        if (page < pages)
        {
            string PageUrl(int p) => $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{Query(request, p)}";
            link = $"<{PageUrl(page + 1)}>; rel=\"next\", <{PageUrl(pages)}>; rel=\"last\"";
        }
        return new Answer(200, new JsonArray(items), Link: link);
    }

    /// <summary>GitHub lists at most this many commits of a pull request, oldest first, and says nothing of the rest.</summary>
    public const int PullRequestCommitLimit = 250;

    private Answer PullRequestCommits(int number, HttpRequest request)
    {
        if (!_pullRequests.ContainsKey(number)) throw new ApiError(404, "Not Found", "https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request");
        var all = (_pullRequestCommits.GetValueOrDefault(number) ?? []).Take(PullRequestCommitLimit).ToList();
        return Paged(all.Select(CommitJson).ToList(), request);
    }

    /// <summary>A list as GitHub pages it: 30 a page unless per_page says (at most 100), and a Link header to the next and last pages.</summary>
    private Answer Paged(IReadOnlyList<JsonObject> all, HttpRequest request)
    {
        var perPage = int.TryParse(request.Query["per_page"], out var pp) ? Math.Clamp(pp, 1, 100) : 30;
        var page = int.TryParse(request.Query["page"], out var pg) ? Math.Max(pg, 1) : 1;
        var items = all.Skip((page - 1) * perPage).Take(perPage).Select(item => (JsonNode)item).ToArray();
        string? link = null;
        var pages = Math.Max(1, (all.Count + perPage - 1) / perPage);
        if (page < pages)
        {
            string PageUrl(int p) => $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{Query(request, p)}";
            link = $"<{PageUrl(page + 1)}>; rel=\"next\", <{PageUrl(pages)}>; rel=\"last\"";
        }
        return new Answer(200, new JsonArray(items), Link: link);
    }

    private JsonObject CommitJson(StoredCommit commit) => new()
    {
        ["sha"] = commit.Sha, ["node_id"] = "C_" + commit.Sha[..10],
        ["commit"] = new JsonObject
        {
            ["author"] = new JsonObject { ["name"] = commit.AuthorName, ["email"] = commit.AuthorEmail, ["date"] = Time(Clock.GetUtcNow()) },
            ["committer"] = new JsonObject { ["name"] = commit.CommitterName, ["email"] = commit.CommitterEmail, ["date"] = Time(Clock.GetUtcNow()) },
            ["message"] = "Change", ["tree"] = new JsonObject { ["sha"] = commit.Sha, ["url"] = $"{Url}/repos/{FullName}/git/trees/{commit.Sha}" },
            ["url"] = $"{Url}/repos/{FullName}/git/commits/{commit.Sha}", ["comment_count"] = 0,
        },
        ["url"] = $"{Url}/repos/{FullName}/commits/{commit.Sha}", ["html_url"] = $"https://github.com/{FullName}/commit/{commit.Sha}",
        ["comments_url"] = $"{Url}/repos/{FullName}/commits/{commit.Sha}/comments",
        ["author"] = commit.Author is null ? null : UserJson(commit.Author),
        ["committer"] = commit.Committer is null ? null : UserJson(commit.Committer),
        ["parents"] = new JsonArray(),
    };

    private static string Query(HttpRequest request, int page) =>
        string.Join('&', request.Query.Where(q => q.Key != "page").Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}").Append($"page={page}"));

    /// <summary>The contents API's object form carries files up to 1 MB.</summary>
    public const int ContentsApiLimit = 1024 * 1024;

    private JsonObject RepositoryJson() => new()
    {
        ["id"] = 4242, ["node_id"] = "R_4242", ["name"] = Repository, ["full_name"] = FullName,
        ["owner"] = UserJson(new GitHubUser(1, Owner, false)), ["private"] = Visibility != "public", ["visibility"] = Visibility,
        ["default_branch"] = DefaultBranch,
        ["html_url"] = $"https://github.com/{FullName}", ["url"] = $"{Url}/repos/{FullName}",
    };

    private JsonObject PullJson(StoredPullRequest pr) => new()
    {
        ["id"] = pr.Number * 10, ["node_id"] = "PR_" + pr.Number, ["number"] = pr.Number, ["state"] = pr.Open ? "open" : "closed",
        ["title"] = $"Pull request {pr.Number}", ["html_url"] = $"https://github.com/{FullName}/pull/{pr.Number}",
        ["user"] = UserJson(_users[pr.Author]),
        ["head"] = new JsonObject
        {
            ["ref"] = "feature", ["sha"] = pr.HeadSha,
            ["repo"] = pr.HeadRepository is null ? null : new JsonObject { ["full_name"] = pr.HeadRepository },
        },
        ["base"] = new JsonObject { ["ref"] = DefaultBranch, ["sha"] = "0000000", ["repo"] = new JsonObject { ["full_name"] = FullName } },
        ["created_at"] = Time(Clock.GetUtcNow()), ["updated_at"] = Time(Clock.GetUtcNow()),
    };

    private JsonObject CommentJson(StoredComment comment) => new()
    {
        ["id"] = comment.Id,
        ["node_id"] = "IC_" + comment.Id,
        ["url"] = $"{Url}/repos/{FullName}/issues/comments/{comment.Id}",
        ["html_url"] = $"https://github.com/{FullName}/pull/{comment.IssueNumber}#issuecomment-{comment.Id}",
        ["issue_url"] = $"{Url}/repos/{FullName}/issues/{comment.IssueNumber}",
        ["body"] = comment.Body,
        ["user"] = comment.User.IsDeleted ? null : UserJson(comment.User),
        ["created_at"] = Time(comment.CreatedAt),
        ["updated_at"] = Time(comment.UpdatedAt),
        ["author_association"] = comment.User.IsBot ? "NONE" : "MEMBER",
    };

    private static JsonObject UserJson(GitHubUser user) => new()
    {
        ["login"] = user.Login, ["id"] = user.Id, ["node_id"] = "U_" + user.Id, ["type"] = user.IsBot ? "Bot" : "User",
        ["site_admin"] = false, ["url"] = $"https://api.github.com/users/{user.Login}", ["html_url"] = $"https://github.com/{user.Login}",
    };

    private static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
