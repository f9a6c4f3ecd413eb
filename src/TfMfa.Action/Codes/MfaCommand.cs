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
    /// <summary>
    /// Looks like a command to a reader but is not one: invisible characters (zero-width, BOM) or
    /// Unicode spaces around <c>/mfa</c>, digits that are not ASCII, or a line indented into a
    /// Markdown code block. Never counts, gets no reply (a reply would coach the disguise), and is
    /// removed when it shows what may be a code, since a reader takes it for one.
    /// </summary>
    Disguised,
}

/// <summary>The three-way parse of a comment: a code (or cancel), a reply to post, or nothing.</summary>
/// <param name="RequestId">The request the command names (<c>/mfa abcd 123456</c>), or null for the bare form.</param>
public sealed partial record MfaCommand(MfaCommandKind Kind, MfaCode? Code = null, string? Reply = null, string? RequestId = null)
{
    public static readonly MfaCommand NotACommand = new(MfaCommandKind.None);

    // ASCII space and tab only: other Unicode spaces are a disguise.
    [GeneratedRegex(@"^/mfa(?=[ \t]|$)(?:[ \t]+(?<arg>[^ \t]+))?[ \t]*(?<rest>.*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommandLine();

    public static readonly MfaCommand DisguisedCommand = new(MfaCommandKind.Disguised);

    /// <summary>
    /// Only the first non-empty line counts, and only when it starts with <c>/mfa</c> in plain
    /// ASCII, indented by at most three spaces: a quote (<c>&gt; /mfa</c>), a code block (fenced or
    /// indented four spaces), a later line or a disguised line is not a command.
    /// </summary>
    public static MfaCommand Parse(string? body)
    {
        var strict = ParseStrictly(body);
        if (strict.Kind != MfaCommandKind.None) return strict;
        // Not a command as written; is it one as a reader sees it?
        return ParseStrictly(AsShown(body)).Kind == MfaCommandKind.None ? NotACommand : DisguisedCommand;
    }

    /// <summary>What a reader of the rendered comment would take the text for: invisible characters gone, Unicode spaces and digits made plain, no indentation.</summary>
    private static string AsShown(string? body)
    {
        var shown = new System.Text.StringBuilder();
        foreach (var c in body ?? "")
        {
            var category = char.GetUnicodeCategory(c);
            if (category == System.Globalization.UnicodeCategory.Format) continue; // zero-width, BOM, direction marks
            if (c == '\t') shown.Append(' ');
            else if (c is not ('\n' or '\r') && char.IsWhiteSpace(c)) shown.Append(' ');
            else if (char.IsDigit(c) && !char.IsAsciiDigit(c)) shown.Append((char)('0' + (int)char.GetNumericValue(c)));
            else shown.Append(c);
        }
        return string.Join('\n', shown.ToString().Replace("\r\n", "\n").Split('\n').Select(l => l.TrimStart(' ')));
    }

    /// <summary>Invisible characters, spaces that are not ASCII, digits that are not ASCII.</summary>
    private static bool IsDisguise(char c) =>
        char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format
        || (char.IsWhiteSpace(c) && c is not (' ' or '\t'))
        || (char.IsDigit(c) && !char.IsAsciiDigit(c));

    private static MfaCommand ParseStrictly(string? body)
    {
        var firstLine = (body ?? "").Replace("\r\n", "\n").Split('\n').FirstOrDefault(l => l.Trim().Length > 0);
        if (firstLine is null) return NotACommand;
        // Four spaces (or a tab) of indentation make a Markdown code block: shown as code, not a command.
        var indent = firstLine.Length - firstLine.TrimStart(' ').Length;
        if (indent >= 4 || firstLine.TrimStart(' ').StartsWith('\t')) return NotACommand;
        var first = firstLine.Trim(' ', '\t', '\r');
        if (first.Any(IsDisguise)) return NotACommand;

        // `/mfa 123456` written as inline code is still the command.
        if (first.Length > 2 && first[0] == '`' && first[^1] == '`' && !first.StartsWith("``", StringComparison.Ordinal))
            first = first[1..^1].Trim();

        var match = CommandLine().Match(first);
        if (!match.Success) return NotACommand;
        var argument = match.Groups["arg"].Value;
        var rest = match.Groups["rest"].Value;

        if (argument.Equals("cancel", StringComparison.OrdinalIgnoreCase) && rest.Length == 0)
            return new MfaCommand(MfaCommandKind.Cancel);
        if (RequestIds.IsId(argument))
        {
            // Addressed to one request: `/mfa abcd 123456` or `/mfa abcd cancel`.
            var id = argument.ToLowerInvariant();
            if (rest.Equals("cancel", StringComparison.OrdinalIgnoreCase)) return new MfaCommand(MfaCommandKind.Cancel, RequestId: id);
            if (rest.Length == 6 && rest.All(char.IsAsciiDigit) && MfaCode.TryParse(rest, out var addressed))
                return new MfaCommand(MfaCommandKind.Code, addressed, RequestId: id);
            return new MfaCommand(MfaCommandKind.Malformed, RequestId: id,
                Reply: $"After the request id comes the 6-digit code, and nothing else: `/mfa {id} 123456` (or `/mfa {id} cancel`).");
        }
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
    public static bool MayHoldACode(string? body) => (body ?? "").Count(char.IsDigit) >= 4;
}
