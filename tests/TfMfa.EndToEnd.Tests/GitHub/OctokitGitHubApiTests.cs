using TfMfa.Config;
using TfMfa.GitHub;
using TfMfa.StandIns.GitHub;

namespace TfMfa.EndToEnd.GitHub;

/// <summary>The real Octokit client against the GitHub stand-in: the calls the action makes, ETags and 304s included.</summary>
public sealed class OctokitGitHubApiTests : IAsyncLifetime
{
    private const int Timeout = 30_000;
    private GitHubStandIn _github = null!;

    public async ValueTask InitializeAsync() => _github = await GitHubStandIn.StartAsync();

    public async ValueTask DisposeAsync() => await _github.DisposeAsync();

    private OctokitGitHubApi Api(string? apiUrl = null, string? token = null) =>
        new(new GitHubContext(apiUrl ?? _github.Url, "https://github.com", _github.Owner, _github.Repository, 77, 1, "pull_request", "abc", "octocat", null, 12),
            token ?? _github.Token, TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = Timeout)]
    public async Task An_unchanged_comment_list_is_a_304_that_costs_no_rate_limit_and_a_change_is_seen()
    {
        var api = Api();
        var request = await api.CreateCommentAsync(12, "request", Ct);

        var first = await api.ListCommentsAsync(12, request.CreatedAt, Ct);
        var second = await api.ListCommentsAsync(12, request.CreatedAt, Ct);
        _github.PostComment(12, "alice", "/mfa 123456");
        var third = await api.ListCommentsAsync(12, request.CreatedAt, Ct);

        Assert.Equal([request.Id], first.Select(c => c.Id));
        Assert.Equal([request.Id], second.Select(c => c.Id));
        Assert.Equal(["request", "/mfa 123456"], third.Select(c => c.Body));
        var lists = _github.Requests.Where(r => r.Method == "GET" && r.Path.Contains("/comments", StringComparison.Ordinal)).ToList();
        Assert.Equal([200, 304, 200], lists.Select(r => r.Status));
        Assert.Equal([true, false, true], lists.Select(r => r.Counted));
    }

    [Fact(Timeout = Timeout)]
    public async Task Delete_is_a_claim_the_second_delete_finds_nothing()
    {
        var api = Api();
        var comment = _github.PostComment(12, "alice", "/mfa 123456");

        Assert.True(await api.DeleteCommentAsync(comment.Id, Ct));
        Assert.False(await api.DeleteCommentAsync(comment.Id, Ct));
        Assert.True(comment.Deleted);
    }

    [Fact(Timeout = Timeout)]
    public async Task Permissions_use_the_role_name_so_maintain_and_triage_are_told_apart()
    {
        _github.AddUser("mia", "maintain");
        _github.AddUser("tom", "triage");
        _github.AddUser("nobody");
        var api = Api();

        Assert.Equal(RepoPermission.Maintain, await api.GetPermissionAsync("mia", Ct));
        Assert.Equal(RepoPermission.Triage, await api.GetPermissionAsync("tom", Ct));
        Assert.Null(await api.GetPermissionAsync("nobody", Ct));
        Assert.Null(await api.GetPermissionAsync("ghost", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Files_on_a_ref_are_read_and_a_missing_one_is_null()
    {
        _github.SetFile("main", ".github/tfmfa.yml", "default-level: never\n");
        var api = Api();

        Assert.Equal("main", (await api.GetRepositoryAsync(Ct)).DefaultBranch);
        Assert.Equal("default-level: never\n", await api.GetFileAsync(".github/tfmfa.yml", "main", Ct));
        Assert.Null(await api.GetFileAsync(".github/tfmfa.yml", "other", Ct));
    }

    [Fact(Timeout = Timeout)]
    public async Task Approvals_keep_the_state_string_and_the_environments()
    {
        _github.AddApproval(77, "alice", "/mfa 123456", "production");
        _github.AddApproval(77, "bob", "no", "production", state: "rejected");

        var approvals = await Api().GetApprovalsAsync(77, Ct);

        Assert.Equal([("approved", "alice", "/mfa 123456"), ("rejected", "bob", "no")], approvals.Select(a => (a.State, a.Login, a.Comment)));
        Assert.Equal(["production"], approvals[0].Environments);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_pull_request_of_a_commit_is_found()
    {
        _github.AddPullRequest(12, "abc");

        var pulls = await Api().GetPullRequestsForCommitAsync("abc", Ct);

        Assert.Equal([new CommitPullRequest(12, true)], pulls);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_enterprise_server_style_api_url_is_used_as_given()
    {
        var api = Api(apiUrl: _github.Url + "/api/v3");

        await api.CreateCommentAsync(12, "hello", Ct);

        Assert.StartsWith("/repos/acme/infra/issues/12/comments", _github.Requests.Single().Path);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_bad_token_is_a_401_that_says_to_check_the_token()
    {
        var error = await Assert.ThrowsAsync<GitHubException>(() => Api(token: "wrong").CreateCommentAsync(12, "x", Ct));

        Assert.False(error.IsTransient);
        Assert.Contains("GitHub refused the token (HTTP 401, Bad credentials)", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_server_error_and_a_dropped_connection_are_retried_for_reads()
    {
        _github.InjectFault("GET", "/comments", 502);
        _github.InjectFault("GET", "/comments", 0);

        var comments = await Api().ListCommentsAsync(12, DateTimeOffset.UnixEpoch, Ct);

        Assert.Empty(comments);
        Assert.Equal([502, 0, 200], _github.Requests.Select(r => r.Status));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_fault_that_outlasts_the_retries_is_a_transient_error_saying_what_github_answered()
    {
        _github.InjectFault("GET", "/comments", 503, count: 4);

        var error = await Assert.ThrowsAsync<GitHubException>(() => Api().ListCommentsAsync(12, DateTimeOffset.UnixEpoch, Ct));

        Assert.True(error.IsTransient);
        Assert.Contains("GitHub answered HTTP 503", error.Message);
        Assert.Equal(4, _github.Requests.Count);
    }

    [Fact(Timeout = Timeout)]
    public async Task Writes_are_never_retried_so_a_comment_is_never_posted_twice()
    {
        _github.InjectFault("POST", "/comments", 502);

        var error = await Assert.ThrowsAsync<GitHubException>(() => Api().CreateCommentAsync(12, "request", Ct));

        Assert.True(error.IsTransient);
        Assert.Single(_github.Requests);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_429_is_retried_after_the_time_github_asks_for()
    {
        _github.InjectFault("GET", "/comments", 429, headers: new Dictionary<string, string> { ["Retry-After"] = "1" });

        await Api().ListCommentsAsync(12, DateTimeOffset.UnixEpoch, Ct);

        var requests = _github.Requests;
        Assert.Equal([429, 200], requests.Select(r => r.Status));
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromSeconds(0.9), $"retried after {requests[1].At - requests[0].At}");
    }

    [Fact(Timeout = Timeout)]
    public async Task A_secondary_rate_limit_carries_its_retry_after()
    {
        _github.InjectFault("GET", "/comments", 403, headers: new Dictionary<string, string> { ["Retry-After"] = "42" },
            message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.");

        var error = await Assert.ThrowsAsync<GitHubException>(() => Api().ListCommentsAsync(12, DateTimeOffset.UnixEpoch, Ct));

        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(42), error.RetryAfter);
    }
}
