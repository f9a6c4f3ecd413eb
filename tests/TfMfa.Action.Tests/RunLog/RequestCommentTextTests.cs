using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Gate;
using TfMfa.RunLog;

namespace TfMfa.Tests.RunLog;

/// <summary>What a request says for each code of a run, and that each code's request has its own id.</summary>
public sealed class RequestCommentTextTests
{
    private static RequestDetails Details(TerraformCommand command, CodeStage stage) =>
        new(command, "production", "arn:aws:iam::123456789012:mfa/ci", "https://ci.example/runs/7", 7, 1,
            new ApproverPolicy(RepoPermission.Write, []), DateTimeOffset.Parse("2026-12-03T12:00:00Z"),
            Unlocks: new WhatRuns("infra", "0f3c9a1b2d", null, null, TimeSpan.FromHours(1), "1.11.4", "the MFA device `arn:aws:iam::123456789012:mfa/ci`", Stage: stage),
            RequestId: "wxyz");

    [Fact]
    public void The_first_of_two_codes_says_it_runs_the_plan_only_and_a_second_code_applies_it()
    {
        var text = RequestCommentText.Waiting(Details(TerraformCommand.Plan, CodeStage.PlanOfApply), null, 3);

        Assert.Contains("### 🔒 MFA code needed: `terraform plan` in `production`", text);
        Assert.Contains("**First of two codes for `terraform apply` in `production`** (plans-and-applies): this code runs the plan only.", text);
        Assert.True(RequestCommentText.IsWaiting(text));
    }

    [Fact]
    public void The_second_code_asks_for_a_newer_code_than_the_first()
    {
        var text = RequestCommentText.Waiting(Details(TerraformCommand.Apply, CodeStage.ApplyOfPlan), null, 3);

        Assert.Contains("**Second of two codes** (plans-and-applies)", text);
        Assert.Contains("AWS accepts each code once", text);
    }

    [Fact]
    public void A_run_with_one_code_says_nothing_of_stages()
    {
        var text = RequestCommentText.Waiting(Details(TerraformCommand.Apply, CodeStage.Only), null, 3);

        Assert.DoesNotContain("of two codes", text);
    }

    [Fact]
    public void A_request_shows_its_drawn_id_in_its_marker_heading_and_instructions_and_a_concluded_one_no_longer_waits()
    {
        var text = RequestCommentText.Waiting(Details(TerraformCommand.Plan, CodeStage.Only), null, 3);

        Assert.Equal("wxyz", RequestCommentText.IdInMarker(text));
        Assert.Contains("(request `wxyz`)", text);
        Assert.Contains("`/mfa wxyz 123456`", text);
        Assert.Throws<InvalidOperationException>(() => RequestCommentText.Waiting(Details(TerraformCommand.Plan, CodeStage.Only) with { RequestId = null }, null, 3));
        // A concluded first request no longer waits, so it does not count as an open request beside the second.
        var concluded = RequestCommentText.Authenticated(Details(TerraformCommand.Plan, CodeStage.PlanOfApply), "alice", DateTimeOffset.UnixEpoch, null);
        Assert.False(RequestCommentText.IsWaiting(concluded));
        Assert.Equal("wxyz", RequestCommentText.IdInMarker(concluded));
        Assert.Contains("a new request will show it, and a second code applies exactly that plan", concluded);
    }
}
