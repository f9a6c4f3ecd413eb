using System.Text;

namespace TfMfa.AzurePipelines;

/// <summary>
/// Azure Pipelines logging commands, <c>##vso[area.action prop=value;]message</c>, escaped as the
/// agent unescapes them, and the neutraliser that keeps any other text from issuing one.
/// </summary>
public static class LoggingCommand
{
    public static string Format(string command, string message, params (string Name, string Value)[] properties)
    {
        var props = properties.Length == 0 ? "" : " " + string.Concat(properties.Select(p => $"{p.Name}={EscapeProperty(p.Value)};"));
        return $"##vso[{command}{props}]{EscapeMessage(message)}";
    }

    /// <summary>In a message: <c>%</c>, CR and LF (the agent reads one line per command).</summary>
    public static string EscapeMessage(string value) =>
        value.Replace("%", "%AZP25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>In a property value, also <c>;</c> and <c>]</c>, which end a property or the property list.</summary>
    public static string EscapeProperty(string value) =>
        EscapeMessage(value).Replace(";", "%3B", StringComparison.Ordinal).Replace("]", "%5D", StringComparison.Ordinal);

    /// <summary>
    /// The agent honours <c>##vso[</c> anywhere in a line, and <c>##[</c> at its start formats it.
    /// Text TfMfa did not write itself (terraform's output, comment text it echoes) has a zero-width
    /// joiner put between the two hashes: it reads the same and issues nothing.
    /// </summary>
    public static string Neutralise(string line)
    {
        if (line.IndexOf("##", StringComparison.Ordinal) < 0) return line;
        var text = new StringBuilder(line.Length + 8);
        for (var i = 0; i < line.Length; i++)
        {
            text.Append(line[i]);
            if (line[i] == '#' && i + 1 < line.Length && line[i + 1] == '#' && Follows(line, i + 2)) text.Append('\u200D');
        }
        return text.ToString();
    }

    /// <summary>
    /// <see cref="Neutralise(string)"/> over UTF-8 tool output (<see cref="RunLog.ToolOutputCopier.Rewrite"/>):
    /// -1 when there is nothing to neutralise. When the text is the head of a long line cut inside a
    /// possible command (after a <c>#</c>, or after <c>##v</c>), the joiner goes in too, as what follows the cut is not known yet.
    /// </summary>
    public static int Neutralise(ReadOnlySpan<byte> text, Span<byte> output)
    {
        var cutAfterHash = text.Length > 0 && text[^1] == (byte)'#';
        if (!cutAfterHash && text.IndexOf("##"u8) < 0) return -1;
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            output[written++] = text[i];
            if (text[i] == (byte)'#' && (i + 1 == text.Length || (text[i + 1] == (byte)'#' && Follows(text, i + 2))))
            {
                ZeroWidthJoiner.CopyTo(output[written..]);
                written += ZeroWidthJoiner.Length;
            }
        }
        return written;
    }

    private static ReadOnlySpan<byte> ZeroWidthJoiner => "\u200D"u8;

    /// <summary>
    /// <c>[</c> or <c>vso[</c> at <paramref name="at"/>; at a cut, as much of <c>vso[</c> as there is counts
    /// (a complete line ends in a line break, which is no part of it).
    /// </summary>
    private static bool Follows(ReadOnlySpan<byte> text, int at)
    {
        var rest = text[at..];
        if (rest.Length > 0 && rest[0] == (byte)'[') return true;
        var command = "vso["u8;
        for (var i = 0; i < Math.Min(rest.Length, command.Length); i++)
            if ((i < 3 ? rest[i] | 0x20 : rest[i]) != command[i]) return false;
        return true;
    }

    private static bool Follows(string line, int at) =>
        at < line.Length && (line[at] == '[' || string.Compare(line, at, "vso[", 0, 4, StringComparison.OrdinalIgnoreCase) == 0);
}
