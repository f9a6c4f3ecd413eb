namespace TfMfa.GitHub;

/// <summary>GitHub workflow-command escaping, as actions/toolkit does it.</summary>
public static class WorkflowCommand
{
    public static string EscapeData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal)
             .Replace("\r", "%0D", StringComparison.Ordinal)
             .Replace("\n", "%0A", StringComparison.Ordinal);

    public static string EscapeProperty(string value) =>
        EscapeData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    public static string Format(string command, string message, IReadOnlyDictionary<string, string>? properties = null)
    {
        var props = properties is { Count: > 0 }
            ? " " + string.Join(",", properties.Select(p => $"{p.Key}={EscapeProperty(p.Value)}"))
            : "";
        return $"::{command}{props}::{EscapeData(message)}";
    }
}
