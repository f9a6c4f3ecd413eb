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

    private const string Sha = "3f786850e387550fdab836ed7e6dc881de23001b";

    /// <summary>Octokit's own typed client, to read and write the stand-in as any other GitHub client would.</summary>
    private Octokit.GitHubClient PlainOctokit() =>
        new(new Octokit.ProductHeaderValue("tests"), new Uri(_github.Url)) { Credentials = new Octokit.Credentials(_github.Token) };

    [Fact(Timeout = Timeout)]
    public async Task A_commit_status_is_set_and_listed_newest_first_with_a_long_description_cut_to_140_characters()
    {
        var api = Api();

        await api.SetCommitStatusAsync(Sha, CommitStatusState.Pending, "tfmfa/production/apply", new string('x', 200), "https://github.com/acme/infra/pull/12#issuecomment-7", Ct);
        await api.SetCommitStatusAsync(Sha, CommitStatusState.Success, "tfmfa/production/apply", "Authenticated with MFA by @alice", null, Ct);
        var listed = await PlainOctokit().Repository.Status.GetAll(_github.Owner, _github.Repository, Sha);

        Assert.Equal([Octokit.CommitState.Success, Octokit.CommitState.Pending], listed.Select(s => s.State.Value));
        Assert.Equal(["tfmfa/production/apply", "tfmfa/production/apply"], listed.Select(s => s.Context));
        Assert.Equal(new string('x', 139) + "…", listed[1].Description);
        Assert.Equal("https://github.com/acme/infra/pull/12#issuecomment-7", listed[1].TargetUrl);
        Assert.Null(listed[0].TargetUrl);
        Assert.Equal(GitHubStandIn.ActionsBotLogin, listed[0].Creator.Login);
        var latest = _github.LatestStatus(Sha, "TFMFA/production/apply");
        Assert.Equal(("success", "Authenticated with MFA by @alice"), (latest?.State, latest?.Description));
        Assert.Equal(["success", "pending"], _github.StatusesOf(Sha).Select(s => s.State));
        Assert.Empty(_github.StatusesOf("0000000000000000000000000000000000000000"));
    }

    [Fact]
    public void A_long_description_is_cut_to_140_characters_without_splitting_a_character()
    {
        Assert.Equal("short", OctokitGitHubApi.FitStatusDescription("short"));
        Assert.Equal(new string('a', 140), OctokitGitHubApi.FitStatusDescription(new string('a', 140)));
        // An emoji is two UTF-16 units; cutting between them would send half a character.
        var cut = OctokitGitHubApi.FitStatusDescription(new string('a', 138) + "🔓🔓");

        Assert.Equal(new string('a', 138) + "…", cut);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_stand_in_refuses_a_description_over_140_characters_and_an_unknown_state_as_github_does()
    {
        var statuses = PlainOctokit().Repository.Status;

        var tooLong = await Assert.ThrowsAsync<Octokit.ApiValidationException>(() => statuses.Create(_github.Owner, _github.Repository, Sha,
            new Octokit.NewCommitStatus { State = Octokit.CommitState.Pending, Description = new string('x', 141) }));
        await statuses.Create(_github.Owner, _github.Repository, Sha, new Octokit.NewCommitStatus { State = Octokit.CommitState.Pending, Description = new string('x', 140) });

        Assert.Equal("description is too long (maximum is 140 characters)", Assert.Single(tooLong.ApiError.Errors).Message);
        Assert.Equal("default", Assert.Single(_github.StatusesOf(Sha)).Context);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("token", _github.Token);
        using var unknown = await http.PostAsync($"{_github.Url}/repos/{_github.FullName}/statuses/{Sha}",
            new StringContent("""{"state":"passed"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(422, (int)unknown.StatusCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_token_without_statuses_write_is_a_403_that_names_the_permission_and_is_not_retried()
    {
        _github.TokenMayWriteStatuses = false;

        var error = await Assert.ThrowsAsync<GitHubException>(() =>
            Api().SetCommitStatusAsync(Sha, CommitStatusState.Pending, "tfmfa/production/plan", "waiting", null, Ct));

        Assert.False(error.IsTransient);
        Assert.Contains("HTTP 403 (Resource not accessible by integration)", error.Message);
        Assert.Contains("statuses: write", error.Message);
        Assert.Equal([(403, true)], _github.Requests.Select(r => (r.Status, r.Counted)));
        Assert.Empty(_github.StatusesOf(Sha));
    }

    [Fact(Timeout = Timeout)]
    public async Task The_rocket_is_a_lock_held_until_it_is_removed()
    {
        var api = Api();
        var comment = _github.PostComment(12, "alice", "/mfa 123456");

        var first = await api.TryLockCommentAsync(comment.Id, Ct);
        var second = await api.TryLockCommentAsync(comment.Id, Ct);
        await api.UnlockCommentAsync(comment.Id, first!.Value, Ct);
        var third = await api.TryLockCommentAsync(comment.Id, Ct);

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.NotNull(third);
        Assert.NotEqual(first, third);
        Assert.Equal([(third!.Value, GitHubStandIn.ActionsBotLogin, "rocket")], comment.Reactions.Select(r => (r.Id, r.Login, r.Content)));
        Assert.Equal([201, 200, 204, 201], _github.Requests.Select(r => r.Status));
        Assert.All(_github.Requests, r => Assert.True(r.Counted));
    }

    [Fact(Timeout = Timeout)]
    public async Task Of_runs_racing_for_the_lock_exactly_one_wins()
    {
        var comment = _github.PostComment(12, "alice", "/mfa 123456");

        var locks = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Api().TryLockCommentAsync(comment.Id, Ct)));

        Assert.Single(locks, l => l is not null);
        Assert.Single(comment.Reactions);
    }

    [Fact(Timeout = Timeout)]
    public async Task Another_identity_s_rocket_is_not_this_identity_s_lock()
    {
        var comment = _github.PostComment(12, "alice", "/mfa 123456");
        var bot = await Api().TryLockCommentAsync(comment.Id, Ct);

        var alice = await Api(token: _github.AddPersonalAccessToken("alice")).TryLockCommentAsync(comment.Id, Ct);

        Assert.NotNull(alice);
        Assert.NotEqual(bot, alice);
        Assert.Equal([GitHubStandIn.ActionsBotLogin, "alice"], comment.Reactions.Select(r => r.Login));
    }

    [Fact(Timeout = Timeout)]
    public async Task Unlocking_a_reaction_that_is_gone_is_no_error()
    {
        var api = Api();
        var comment = _github.PostComment(12, "alice", "/mfa 123456");
        var reaction = await api.TryLockCommentAsync(comment.Id, Ct);
        await api.UnlockCommentAsync(comment.Id, reaction!.Value, Ct);

        await api.UnlockCommentAsync(comment.Id, reaction.Value, Ct);
        await api.UnlockCommentAsync(comment.Id, 424242, Ct);

        Assert.Equal([201, 204, 404, 404], _github.Requests.Select(r => r.Status));
        Assert.Empty(comment.Reactions);
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
