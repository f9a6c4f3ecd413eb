using TfMfa.Codes;
using TfMfa.Terminal;

namespace TfMfa.Tests.Terminal;

/// <summary>A laptop run, like <c>aws-vault exec</c>: the prompt on stderr, a code a line; a refusal is said before the next prompt.</summary>
public sealed class TerminalCodeChannelTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly CodeRequest Request = new(TerraformCommand.Plan, "production", "arn:aws:iam::123456789012:mfa/me", DateTimeOffset.UtcNow.AddMinutes(10));

    [Fact]
    public async Task A_piped_code_is_read_after_a_near_miss_and_a_refusal_is_said_before_the_next_prompt()
    {
        var prompt = new StringWriter();
        var channel = new TerminalCodeChannel(new StringReader("48291\n482913\n730551\n"), prompt, inputIsTerminal: false, "alice");
        var request = await channel.OpenAsync(Request, Ct);

        var first = await request.NextCodeAsync(Attempt.First(3), Ct);
        var second = await request.NextCodeAsync(Attempt.First(3).After(new Rejection(first, "AWS refused the MFA code.")), Ct);

        Assert.Equal(("482913", "alice"), (first.Code.Digits, first.SuppliedBy));
        Assert.Equal("730551", second.Code.Digits);
        var text = prompt.ToString();
        Assert.Contains("MFA code for arn:aws:iam::123456789012:mfa/me (plan in production, attempt 1 of 3): ", text);
        Assert.Contains("A code is the 6 digits your authenticator shows; try again.", text);
        Assert.Contains("AWS refused the MFA code. (2 attempts left)", text);
        Assert.Contains("attempt 2 of 3", text);
        Assert.DoesNotContain("482913", text); // what was typed is never echoed
    }

    [Fact]
    public async Task Input_that_closes_before_a_code_ends_the_wait_with_what_to_do()
    {
        var request = await new TerminalCodeChannel(new StringReader(""), new StringWriter(), inputIsTerminal: false, "alice").OpenAsync(Request, Ct);

        var error = await Assert.ThrowsAsync<TfMfaException>(() => request.NextCodeAsync(Attempt.First(3), Ct));

        Assert.Contains("echo 123456 | tfmfa plan", error.Message);
    }
}
