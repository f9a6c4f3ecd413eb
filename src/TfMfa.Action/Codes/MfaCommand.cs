using System.Text.RegularExpressions;

namespace TfMfa.Codes;

public enum MfaCommandKind
{
    /// <summary>Not a command: ordinary conversation, ignored without a word.</summary>
    None,
    Code,
    Cancel,
    /// <summary>Meant as a command but unusable; <see cref="MfaCommand.Reply"/> says why.</summary>
    Malformed,
}

/// <summary>The three-way parse of a comment: a code (or cancel), a reply to post, or nothing.</summary>
public sealed partial record MfaCommand(MfaCommandKind Kind, MfaCode? Code = null, string? Reply = null)
{
    public static readonly MfaCommand NotACommand = new(MfaCommandKind.None);

    [GeneratedRegex(@"^/mfa(?=\s|$)(?:\s+(?<arg>\S+))?\s*(?<rest>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommandLine();

    /// <summary>
    /// Only the first non-empty line counts, and only when it starts with <c>/mfa</c>: a quote
    /// (<c>&gt; /mfa</c>), a code block or a later line is not a command.
    /// </summary>
    public static MfaCommand Parse(string? body)
    {
        var first = (body ?? "").Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        if (first is null) return NotACommand;

        // `/mfa 123456` written as inline code is still the command.
        if (first.Length > 2 && first[0] == '`' && first[^1] == '`' && !first.StartsWith("``", StringComparison.Ordinal))
            first = first[1..^1].Trim();

        var match = CommandLine().Match(first);
        if (!match.Success) return NotACommand;
        var argument = match.Groups["arg"].Value;
        var rest = match.Groups["rest"].Value;

        if (argument.Equals("cancel", StringComparison.OrdinalIgnoreCase) && rest.Length == 0)
            return new MfaCommand(MfaCommandKind.Cancel);
        if (argument.Length == 0)
            return new MfaCommand(MfaCommandKind.Malformed, Reply: "`/mfa` needs the 6 digits your authenticator shows, like `/mfa 123456` (or `/mfa cancel`).");
        if (argument.All(char.IsAsciiDigit))
        {
            if (argument.Length != 6)
                return new MfaCommand(MfaCommandKind.Malformed, Reply: $"A code has 6 digits; that one had {argument.Length}. Send the 6 digits your authenticator shows now, like `/mfa 123456`.");
            if (rest.Length > 0)
                return new MfaCommand(MfaCommandKind.Malformed, Reply: "Put nothing after the code on the `/mfa` line: `/mfa 123456`.");
            MfaCode.TryParse(argument, out var code);
            return new MfaCommand(MfaCommandKind.Code, code);
        }
        return new MfaCommand(MfaCommandKind.Malformed, Reply: "`/mfa` takes the 6 digits your authenticator shows, like `/mfa 123456`, or `cancel`.");
    }

    /// <summary>Whether the comment holds anything that might be (most of) a code, so it should not stay visible.</summary>
    public static bool MayHoldACode(string? body) => (body ?? "").Count(char.IsAsciiDigit) >= 4;
}
