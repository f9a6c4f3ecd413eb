using TfMfa.Codes;

namespace TfMfa.Tests.Codes;

public sealed class MfaCommandTests
{
    [Theory]
    [InlineData("/mfa 123456", "123456")]
    [InlineData("  /mfa 123456  ", "123456")]
    [InlineData("/MFA 123456", "123456")]
    [InlineData("/mfa    123456", "123456")]
    [InlineData("`/mfa 123456`", "123456")]
    [InlineData("\r\n\r\n/mfa 654321\r\nthanks!", "654321")]
    [InlineData("\n   \n/mfa 000001\n", "000001")]
    public void A_code_on_the_first_non_empty_line_is_taken(string body, string digits)
    {
        var command = MfaCommand.Parse(body);

        Assert.Equal(MfaCommandKind.Code, command.Kind);
        Assert.Equal(digits, command.Code!.Digits);
    }

    [Theory]
    [InlineData("")]
    [InlineData("LGTM")]
    [InlineData("thanks\n/mfa 123456")]
    [InlineData("> /mfa 123456")]
    [InlineData("```\n/mfa 123456\n```")]
    [InlineData("please run /mfa 123456")]
    [InlineData("/mfaa 123456")]
    [InlineData("/mfa123456")]
    public void Anything_else_is_not_a_command(string body) =>
        Assert.Equal(MfaCommandKind.None, MfaCommand.Parse(body).Kind);

    [Theory]
    [InlineData("\u200B/mfa 123456")]             // zero-width space before the command
    [InlineData("\uFEFF/mfa 123456")]             // byte-order mark
    [InlineData("\u200B\n/mfa 123456")]           // an invisible first line
    [InlineData("/mfa 123\u200B456")]             // zero-width inside the code
    [InlineData("\u00A0/mfa 123456")]             // no-break space
    [InlineData("/mfa\u00A0123456")]
    [InlineData("/mfa \u0661\u0662\u0663\u0664\u0665\u0666")] // Arabic-Indic digits
    [InlineData("/mfa \uFF11\uFF12\uFF13\uFF14\uFF15\uFF16")] // full-width digits
    [InlineData("    /mfa 123456")]                // four spaces: a Markdown code block
    [InlineData("\t/mfa 123456")]
    [InlineData("      /mfa cancel")]
    public void A_disguised_command_never_counts(string body)
    {
        var command = MfaCommand.Parse(body);

        Assert.Equal(MfaCommandKind.Disguised, command.Kind);
        Assert.Null(command.Code);
        Assert.Null(command.Reply);
    }

    [Theory]
    [InlineData("   /mfa 123456")] // three spaces are still a paragraph
    [InlineData(" \t\n/mfa 123456")]
    public void Up_to_three_spaces_of_indentation_are_fine(string body) =>
        Assert.Equal(MfaCommandKind.Code, MfaCommand.Parse(body).Kind);

    [Fact]
    public void Digits_that_are_not_ascii_still_count_as_holding_a_code() =>
        Assert.True(MfaCommand.MayHoldACode("/mfa \u0661\u0662\u0663\u0664\u0665\u0666"));

    [Theory]
    [InlineData("/mfa cancel")]
    [InlineData("/MFA Cancel")]
    [InlineData("`/mfa cancel`")]
    public void Cancel_is_a_command(string body) => Assert.Equal(MfaCommandKind.Cancel, MfaCommand.Parse(body).Kind);

    [Theory]
    [InlineData("/mfa 12345", "A code has 6 digits; that one had 5.")]
    [InlineData("/mfa 1234567", "A code has 6 digits; that one had 7.")]
    [InlineData("/mfa", "`/mfa` needs the 6 digits your authenticator shows")]
    [InlineData("/mfa 123456 please", "Put nothing after the code")]
    [InlineData("/mfa 12345a", "`/mfa` takes the 6 digits")]
    [InlineData("/mfa cancel now", "`/mfa` takes the 6 digits")]
    public void Near_misses_get_a_reply_that_explains(string body, string reply)
    {
        var command = MfaCommand.Parse(body);

        Assert.Equal(MfaCommandKind.Malformed, command.Kind);
        Assert.Contains(reply, command.Reply);
        Assert.Null(command.Code);
    }

    [Theory]
    [InlineData("/mfa 12345", true)]
    [InlineData("/mfa", false)]
    [InlineData("/mfa 12", false)]
    public void A_near_miss_holding_most_of_a_code_is_not_left_visible(string body, bool mayHoldCode) =>
        Assert.Equal(mayHoldCode, MfaCommand.MayHoldACode(body));
}

public sealed class AddressedCommandTests
{
    [Theory]
    [InlineData("/mfa abcd 123456", MfaCommandKind.Code, "abcd")]
    [InlineData("/mfa ABCD 123456", MfaCommandKind.Code, "abcd")]
    [InlineData("/mfa abcd cancel", MfaCommandKind.Cancel, "abcd")]
    [InlineData("/mfa abcd 12345", MfaCommandKind.Malformed, "abcd")]
    [InlineData("/mfa abcd 123456 now", MfaCommandKind.Malformed, "abcd")]
    [InlineData("/mfa 123456", MfaCommandKind.Code, null)]
    public void A_command_may_name_the_request_it_is_for(string body, MfaCommandKind kind, string? id)
    {
        var command = MfaCommand.Parse(body);

        Assert.Equal((kind, id), (command.Kind, command.RequestId));
        if (kind == MfaCommandKind.Code) Assert.Equal(body[^6..], command.Code!.Digits);
    }

    [Fact]
    public void Request_ids_are_four_random_letters_never_digits_and_never_one_already_taken()
    {
        var drawn = Enumerable.Range(0, 200).Select(_ => RequestIds.New([])).ToList();

        Assert.All(drawn, id => Assert.True(RequestIds.IsId(id) && !id.Any(char.IsDigit), id));
        Assert.True(drawn.Distinct().Count() > 190, "ids repeat far more often than 200 draws from 23^4 would");
        // With every id but one taken, the draw can only be that one.
        const string letters = "abcdefghjkmnpqrstuvwxyz";
        var all = (from a in letters from b in letters from c in letters from d in letters select new string([a, b, c, d])).ToHashSet();
        all.Remove("wxyz");
        Assert.Equal("wxyz", RequestIds.New(all));
    }
}
