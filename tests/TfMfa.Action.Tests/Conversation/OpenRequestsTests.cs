using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;
using TfMfa.RunLog;

namespace TfMfa.Tests.Conversation;

/// <summary>Which requests on a conversation are open: waiting text, deadline not passed, run not completed.</summary>
public sealed class OpenRequestsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T12:00:00Z");

    private static string Waiting(string id, long run, DateTimeOffset deadline) =>
        RequestCommentText.Waiting(new RequestDetails(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/ci", "https://ci.example/runs/" + run, run, 1,
            new ApproverPolicy(RepoPermission.Write, []), deadline, GitHub.GitHubConversation.Wording, RequestId: id), null, 3);

    private static ConversationComment Comment(string id, string body) =>
        new(id, null, body, new ConversationAuthor("tfmfa", "tfmfa", true), Now.AddMinutes(-5), null);

    [Theory]
    // text, run completed?, is ours, expected: open / expired reason fragment / not a request at all
    [InlineData("waiting", false, false, "open")]
    [InlineData("waiting", null, false, "open")] // a run the token may not read: the deadline alone decides
    [InlineData("waiting", true, false, "its run (41) has completed")]
    [InlineData("past-deadline", false, false, "its deadline (2026-12-01 11:59:00 UTC) has passed")]
    [InlineData("past-deadline", null, false, "its deadline")]
    [InlineData("no-deadline", false, false, "open")] // posted before deadlines were recorded
    [InlineData("no-deadline", true, false, "its run (41) has completed")]
    [InlineData("concluded", false, false, "none")]
    [InlineData("not-a-request", false, false, "none")]
    [InlineData("waiting", false, true, "none")] // this run's own request
    public void A_request_is_open_while_it_waits_before_its_deadline_and_its_run_has_not_completed(string text, bool? runCompleted, bool ours, string expected)
    {
        var body = text switch
        {
            "waiting" => Waiting("wxyz", 41, Now.AddMinutes(5)),
            "past-deadline" => Waiting("wxyz", 41, Now.AddMinutes(-1)),
            "no-deadline" => System.Text.RegularExpressions.Regex.Replace(Waiting("wxyz", 41, Now.AddMinutes(-1)), " deadline=[^ ]+", ""),
            "concluded" => RequestCommentText.Authenticated(new RequestDetails(TerraformCommand.Plan, "production", "", "", 41, 1, new ApproverPolicy(RepoPermission.Write, []), Now, GitHub.GitHubConversation.Wording, RequestId: "wxyz"), "alice", Now, null),
            _ => "### 🔒 MFA code needed: a look-alike without a marker",
        };

        var judged = OpenRequests.Judge([Comment("c1", body)], ours ? ["c1"] : [], Now, run => run == 41 ? runCompleted : false);

        if (expected == "none") { Assert.Empty(judged); return; }
        var request = Assert.Single(judged);
        Assert.Equal("wxyz", request.Marker.Id);
        if (expected == "open") Assert.True(request.IsOpen, request.Expired);
        else Assert.Contains(expected, request.Expired);
    }

    [Fact]
    public void The_marker_keeps_the_id_run_and_deadline_and_the_expired_text_keeps_the_marker_but_no_longer_waits()
    {
        var body = Waiting("wxyz", 41, Now.AddMinutes(5));

        Assert.Equal(new RequestMarker("wxyz", 41, Now.AddMinutes(5), "production", "plan", 1), RequestMarker.Parse(body));
        var expired = OpenRequests.ExpiredText(body, "its run (41) has completed");
        Assert.Equal(new RequestMarker("wxyz", 41, Now.AddMinutes(5), "production", "plan", 1), RequestMarker.Parse(expired));
        Assert.False(RequestCommentText.IsWaiting(expired));
        Assert.Contains("It no longer waits: its run (41) has completed.", expired);
        Assert.Null(RequestMarker.Parse("/mfa wxyz 123456"));
    }
}
