using System.Globalization;
using System.Text;

namespace TfMfa.RunLog;

/// <summary>
/// Makes a value that TfMfa did not write (a resource address, a value, the rendered plan, a branch
/// or directory name, a login, an error) literal text in GitHub's and Azure DevOps' markdown alike
/// (CommonMark with GFM tables; markdown-it on Azure DevOps). Each form fits one place: a code span
/// in prose, a code span in a table cell, plain prose, a code block, a link's address.
/// Whatever the value holds, it cannot end its span, start a block, or become HTML.
/// </summary>
public static class MarkdownText
{
    /// <summary>Stands for a line break inside a one-line form (a value's newline would start a new block).</summary>
    public const char LineBreakSymbol = '\u2424'; // ␤

    /// <summary>Stands for an invisible or control character (bidi overrides, zero-width characters, escapes).</summary>
    public const char HiddenSymbol = '\uFFFD';

    /// <summary>
    /// An inline code span: its fence is one backtick longer than the longest run of backticks in the
    /// value, so nothing in it can close the span; inside a code span HTML and markdown are literal.
    /// </summary>
    public static string Code(string value)
    {
        var content = OneLine(value);
        if (content.Length == 0) return "` `";
        var fence = new string('`', LongestRun(content, '`') + 1);
        // CommonMark strips one space from each end when both ends have one, and a backtick at an end would join the fence.
        var pad = content[0] == '`' || content[^1] == '`' || (content[0] == ' ' && content[^1] == ' ' && content.Trim(' ').Length > 0);
        return pad ? $"{fence} {content} {fence}" : $"{fence}{content}{fence}";
    }

    /// <summary>
    /// A value in a table cell. A pipe ends a cell even inside a code span (GFM splits rows first);
    /// <c>\|</c> keeps it, but a backslash before it would pair with that one on github.com. So a value
    /// with a pipe is written as escaped prose, where every backslash is escaped too; any other is a code span.
    /// </summary>
    public static string CodeInCell(string value) => value.Contains('|', StringComparison.Ordinal) ? Text(value) : Code(value);

    /// <summary>
    /// Plain prose: markdown punctuation is backslash-escaped, <c>&lt; &gt; &amp;</c> become entities
    /// (no HTML), a line break becomes <c>&lt;br&gt;</c> (so no line can start a block), and a first
    /// character that could start a block (a heading, a list, a quote, a rule, an indent) is escaped.
    /// </summary>
    public static string Text(string value)
    {
        var lines = value.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r', '\u2028', '\u2029');
        // The lines stay one paragraph, so two tildes anywhere in it could strike through what lies between.
        var tildes = value.Count(c => c == '~') > 1;
        return string.Join("<br>", lines.Select(line => TextLine(line, tildes)));
    }

    private static string TextLine(string line, bool escapeTildes)
    {
        var text = new StringBuilder(line.Length + 8);
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '\\' or '`' or '*' or '[' or ']' or '|':
                    text.Append('\\').Append(c);
                    break;
                // Strikethrough takes two tildes; a lone one (~alice, ~/.terraformrc) stays as it is.
                case '~' when escapeTildes:
                    text.Append("\\~");
                    break;
                // Only an underscore at a word's edge can emphasise (alice_acme stays as it is).
                case '_' when i == 0 || i == line.Length - 1 || !char.IsLetterOrDigit(line[i - 1]) || !char.IsLetterOrDigit(line[i + 1]):
                    text.Append("\\_");
                    break;
                case '#' or '-' or '+' or '=' when LeadingPosition(line, i):
                    text.Append('\\').Append(c);
                    break;
                // "1. " or "1) " at the start is an ordered list ("1.11.4" is not).
                case '.' or ')' when (i + 1 == line.Length || line[i + 1] is ' ' or '\t') && line[..i].TrimStart(' ') is { Length: > 0 } number && number.All(char.IsAsciiDigit):
                    text.Append('\\').Append(c);
                    break;
                // Four leading spaces would make an indented code block.
                case ' ' or '\t' when LeadingPosition(line, i): text.Append("&#32;"); break;
                case '\t': text.Append(' '); break;
                default:
                    if (IsHidden(c)) text.Append(HiddenSymbol);
                    else text.Append(c);
                    break;
            }
        }
        // Two spaces before a line break would make a hard break of their own.
        if (text.Length > 0 && text[^1] == ' ') text.Length--;
        else return text.ToString();
        return text.Append("&#32;").ToString();
    }

    /// <summary>
    /// A fenced code block for multi-line text (the rendered plan): its fence is longer than any run
    /// of backticks in the text, so no line can close it; everything inside is literal, HTML included
    /// (a <c>&lt;/details&gt;</c> in the plan does not close the block TfMfa puts it in).
    /// </summary>
    public static string CodeBlock(string text)
    {
        var body = new StringBuilder(text.Length);
        foreach (var c in text.Replace("\r\n", "\n", StringComparison.Ordinal))
            body.Append(c is '\r' or '\u2028' or '\u2029' ? '\n' : c is '\n' or '\t' ? c : IsHidden(c) ? HiddenSymbol : c);
        var fence = new string('`', Math.Max(3, LongestRun(body.ToString(), '`') + 1));
        return $"{fence}\n{body.ToString().TrimEnd('\n')}\n{fence}";
    }

    /// <summary>
    /// A link's address: characters that could end it or break out of it (<c>( ) &lt; &gt;</c>,
    /// spaces, backticks, brackets, pipes, quotes) are percent-encoded. Anything but http(s) is no link: null.
    /// </summary>
    public static string? Url(string url)
    {
        if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) return null;
        var encoded = new StringBuilder(url.Length);
        foreach (var b in Encoding.UTF8.GetBytes(url))
        {
            var c = (char)b;
            if (b < 0x21 || b >= 0x7F || c is '(' or ')' or '<' or '>' or '`' or '"' or '\'' or '\\' or '[' or ']' or '|' or '{' or '}' or '^')
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            else
                encoded.Append(c);
        }
        return encoded.ToString();
    }

    /// <summary>A link when the address is http(s); else the label alone.</summary>
    public static string Link(string label, string? url) => url is not null && Url(url) is { } safe ? $"[{label}]({safe})" : label;

    /// <summary>One line: line breaks become ␤, invisible and control characters become �, tabs spaces.</summary>
    private static string OneLine(string value)
    {
        var line = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\r' && i + 1 < value.Length && value[i + 1] == '\n') continue;
            line.Append(c is '\n' or '\r' or '\u2028' or '\u2029' ? LineBreakSymbol : c == '\t' ? ' ' : IsHidden(c) ? HiddenSymbol : c);
        }
        return line.ToString();
    }

    /// <summary>Controls and format characters: bidi overrides, zero-width joiners and spaces, the BOM.</summary>
    private static bool IsHidden(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool LeadingPosition(string line, int index) => line[..index].All(c => c == ' ');

    private static int LongestRun(string text, char c)
    {
        int longest = 0, current = 0;
        foreach (var x in text)
        {
            current = x == c ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }
        return longest;
    }
}
