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
