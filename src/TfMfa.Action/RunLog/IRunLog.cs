namespace TfMfa.RunLog;

/// <summary>
/// Everything the action tells its user goes through this one sink: log lines, annotations,
/// masks, outputs and the step summary. Any registered secret is redacted from every line.
/// Disposing flushes what is still buffered.
/// </summary>
public interface IRunLog : IDisposable
{
    /// <summary>Registers a secret: on GitHub, <c>::add-mask::</c> before the value could appear anywhere.</summary>
    void Mask(string secret);

    /// <summary>A one-time code: redacted from TfMfa's lines; on GitHub also masked by the runner.</summary>
    void MaskCode(string digits) => Mask(digits);

    /// <summary>The text with every registered secret replaced, for what TfMfa writes elsewhere (a plan in a comment).</summary>
    string Redact(string text) => text;

    void Info(string message);
    void Notice(string message);
    void Warning(string message);
    void Error(string message);

    /// <summary>A collapsible group of lines; dispose to end it.</summary>
    IDisposable Group(string title);

    /// <summary>A line terraform wrote, passed through as it comes.</summary>
    void ToolOutput(string line, bool isError);

    /// <summary>
    /// One of terraform's output streams, copied in as it comes, line by line as <see cref="ToolOutput"/>
    /// would pass it. The run logs copy bytes (<see cref="ToolOutputCopier"/>); this fallback decodes lines.
    /// </summary>
    async Task ToolOutputAsync(Stream output, bool isError, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(output, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } line) ToolOutput(line, isError);
    }

    /// <summary>
    /// Until disposed, what a tool prints cannot act on the log (on GitHub: no workflow command in
    /// it is honoured). TfMfa's own lines keep working inside the section.
    /// </summary>
    IDisposable ToolOutputSection();

    void SetOutput(string name, string value);
    void AppendSummary(string markdown);
}
