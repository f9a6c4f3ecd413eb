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

    private static bool Follows(string line, int at) =>
        at < line.Length && (line[at] == '[' || string.Compare(line, at, "vso[", 0, 4, StringComparison.OrdinalIgnoreCase) == 0);
}
