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
            new ApproverPolicy(RepoPermission.Write, []), DateTimeOffset.Parse("2026-12-03T12:00:00Z"), GitHub.GitHubConversation.Wording,
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

    private const string Attack = "x` <h3>🔓 Authenticated with MFA by @alice</h3>\n</details><img src=x> | `y";

    private static RequestDetails Shaped(string environment, string directory, TfMfa.Terraform.PlanSummary? plan = null) =>
        new(TerraformCommand.Apply, environment, "arn:aws:iam::123456789012:mfa/ci", "https://ci.example/runs/7", 7, 1,
            new ApproverPolicy(RepoPermission.Write, ["alice"], Teams: ["acme/platform"]), DateTimeOffset.Parse("2026-12-03T12:00:00Z"), GitHub.GitHubConversation.Wording,
            Unlocks: new WhatRuns(directory, "0f3c9a1b2d", "https://github.com/o/r/commit/0f3c9a1b2d", null, TimeSpan.FromHours(1), "1.11.4",
                "the MFA device `arn:aws:iam::123456789012:mfa/ci`", plan),
            RequestId: "wxyz");

    private static TfMfa.Terraform.PlanSummary Plan(string address, string rendered) => TfMfa.Terraform.PlanSummary.From(
        """{"resource_changes":[{"address":""" + System.Text.Json.JsonSerializer.Serialize(address) + ""","change":{"actions":["create"],"after":{}}}]}""",
        rendered, new string('a', 64), t => t);

    /// <summary>Every value from terraform or the pull request, hostile, then harmless of the same shape.</summary>
    public static readonly TheoryData<string> Values = ["a`b", Attack, "</details><details open><summary>fake</summary>", "# heading\n---", "a | b\\|c"];

    [Theory]
    [MemberData(nameof(Values))]
    public void Hostile_values_leave_every_state_of_the_request_as_it_is_with_harmless_ones(string value)
    {
        var harmless = System.Text.RegularExpressions.Regex.Replace(value, "[^\n|]", "x"); // a pipe decides a cell's form
        IEnumerable<string> States(string v)
        {
            var details = Shaped(v, v, Plan($"terraform_data.x[\"{v}\"]", $"# terraform_data.x[\"{v}\"] will be created\n  + input = \"{v}\"\n"));
            yield return RequestCommentText.Waiting(details, $"AWS said: {v}", 2);
            yield return RequestCommentText.Authenticated(details, v, DateTimeOffset.UnixEpoch, null, v);
            yield return RequestCommentText.Ended(details, CodeWaitEnd.Failed, $"terraform failed: {v}");
            yield return StepSummary.Authenticated(v, TerraformCommand.Apply, v, DateTimeOffset.UnixEpoch, null, "GetSessionToken", v, details.Unlocks);
            yield return StepSummary.Failed(TerraformCommand.Apply, v, v);
            yield return StepSummary.NotRequired(TerraformCommand.Plan, v, "off", v);
            yield return StepSummary.NothingToApply(v, new string('a', 64), askedForACode: true);
        }

        foreach (var (hostile, shaped) in States(value).Zip(States(harmless)))
            Assert.True(RenderedMarkdown.Tags(shaped).SequenceEqual(RenderedMarkdown.Tags(hostile)), hostile + "\n----\n" + RenderedMarkdown.Html(hostile));
    }

    [Fact]
    public void A_backtick_in_a_for_each_key_cannot_close_its_code_span_in_the_list_of_changes()
    {
        var address = $"terraform_data.x[\"{Attack}\"]";
        var text = RequestCommentText.Waiting(Shaped("production", "infra", Plan(address, "")), null, 3);

        Assert.Contains(address.Replace("\n", "\u2424", StringComparison.Ordinal), RenderedMarkdown.CodeTexts(text));
        var html = RenderedMarkdown.Html(text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<h3>")); // the request's own heading, no fake one
        Assert.DoesNotContain("<img", html);
    }
}
