using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.Trigger;

namespace TfMfa.Tests.Trigger;

/// <summary>The durable marker of a comment-trigger request: what the answering run holds the request to.</summary>
public sealed class TriggerFactsTests
{
    private static readonly TriggerFacts Facts = new("0f3c9a1b2d4e", "infra/prod env", CodeStage.ApplyOfPlan, new string('a', 64),
        new TriggerFailure("alice", StsFailureKind.WrongCode, 2));

    [Fact]
    public void The_marker_reads_back_as_written()
    {
        Assert.Equal(Facts, TriggerFacts.Parse("text\n" + Facts.Marker() + "\nmore"));
        Assert.Equal(Facts with { LastFailure = null, ChangesSha256 = null }, TriggerFacts.Parse((Facts with { LastFailure = null, ChangesSha256 = null }).Marker()));
    }

    [Theory]
    [InlineData("commit=0f3c9a1b2d4e", "commit=not-a-sha")]
    [InlineData("stage=ApplyOfPlan", "stage=Everything")]
    [InlineData("stage=ApplyOfPlan", "stage=7")]
    [InlineData("failed=alice,WrongCode,2", "failed=alice --> <b>x</b>,WrongCode,2")]
    [InlineData("failed=alice,WrongCode,2", "failed=alice,Nonsense,2")]
    [InlineData("failed=alice,WrongCode,2", "failed=alice,WrongCode,-1")]
    [InlineData("directory=", "directory=%%%")]
    public void A_tampered_marker_does_not_parse(string field, string tampered)
    {
        var marker = Facts.Marker();
        Assert.Contains(field, marker);
        Assert.Null(TriggerFacts.Parse(marker.Replace(field, tampered, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_refusal_is_kept_in_fixed_words_never_free_text()
    {
        Assert.Equal("The code from @alice was not accepted: AWS refused it (a wrong code, or one already used: AWS accepts each code once)",
            Facts.LastFailure!.Sentence(login => "@" + login));
    }

    [Fact]
    public void The_plan_section_comes_out_and_goes_back_where_it_was()
    {
        const string text = "head\n\n| The code unlocks | |\n#### The plan this code applies\n\n**Plan: 1 to add** x\n\n> 🔴 refused\n\nReply with a new comment whose first line is\nrest";
        var without = TriggerTexts.WithoutPlan(text);
        Assert.DoesNotContain("Plan: 1 to add", without);
        Assert.Contains("> 🔴 refused", without);
        Assert.Equal(text, TriggerTexts.WithPlan(without, TriggerTexts.PlanSection(text)));
        Assert.Equal("line 2 of the request reads \"b\", where this run would write \"c\"", TriggerTexts.FirstDifference("a\nb", "a\nc"));
    }
}
