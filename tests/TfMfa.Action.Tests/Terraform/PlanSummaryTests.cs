using TfMfa.Terraform;

namespace TfMfa.Tests.Terraform;

public sealed class PlanSummaryTests
{
    private const string Json = """
        {"format_version":"1.2","resource_changes":[
          {"address":"aws_db_instance.main","change":{"actions":["update"],
            "before":{"password":"old-password-value","name":"orders"},"after":{"password":"new-password-value","name":"orders"},
            "before_sensitive":{"password":true},"after_sensitive":{"password":true}}},
          {"address":"aws_s3_bucket.logs","change":{"actions":["delete","create"],"before":{},"after":{},"after_sensitive":{}}},
          {"address":"aws_iam_role.old","change":{"actions":["delete"],"before":{"tags":["a","secret-tag-value"]},"before_sensitive":{"tags":[false,true]}}},
          {"address":"aws_sqs_queue.jobs","change":{"actions":["create"],"after":{}}},
          {"address":"data.aws_caller_identity.me","change":{"actions":["read"]}},
          {"address":"aws_vpc.main","change":{"actions":["no-op"]}}
        ],"output_changes":{"token":{"actions":["update"],"before":"token-before-1234","after":"token-after-5678","before_sensitive":true,"after_sensitive":true}}}
        """;

    [Fact]
    public void Counts_and_actions_follow_terraforms_own_words()
    {
        var plan = PlanSummary.From(Json, "", new string('a', 64), t => t);

        Assert.Equal("Plan: 2 to add, 1 to change, 2 to destroy.", plan.CountsLine);
        Assert.Equal(["aws_db_instance.main: update", "aws_s3_bucket.logs: replace", "aws_iam_role.old: destroy", "aws_sqs_queue.jobs: create"],
            plan.Changes.Select(c => $"{c.Address}: {c.Action}"));
        Assert.False(plan.IsEmpty);
    }

    [Fact]
    public void Every_value_marked_sensitive_and_every_known_secret_is_redacted_from_the_rendered_plan()
    {
        const string rendered = "password: old-password-value -> new-password-value\ntags: secret-tag-value\ntoken: token-after-5678\nkey: AKIASECRETKEY";
        var plan = PlanSummary.From(Json, rendered, new string('a', 64), t => t.Replace("AKIASECRETKEY", "***", StringComparison.Ordinal));

        foreach (var secret in new[] { "old-password-value", "new-password-value", "secret-tag-value", "token-after-5678", "AKIASECRETKEY" })
            Assert.DoesNotContain(secret, plan.Rendered);
        Assert.Contains("(sensitive value)", plan.Rendered);
    }

    [Fact]
    public void A_plan_without_changes_is_empty()
    {
        var plan = PlanSummary.From("""{"resource_changes":[{"address":"x.y","change":{"actions":["no-op"]}}],"output_changes":{}}""", "No changes.", new string('b', 64), t => t);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void The_markdown_fits_its_budget_and_says_where_the_rest_is()
    {
        var plan = PlanSummary.From(Json, new string('x', 100_000), new string('c', 64), t => t);

        var markdown = plan.Markdown(10_000);

        Assert.True(markdown.Length <= 10_000, $"{markdown.Length}");
        Assert.Contains("the run log has all of it", markdown);
        Assert.Contains("**Plan: 2 to add, 1 to change, 2 to destroy.**", markdown);
    }
}
