namespace TfMfa.RunLog;

/// <summary>
/// The run log on a laptop: plain lines, secrets redacted but never echoed (an <c>::add-mask::</c>
/// line would print the secret on the screen), no outputs file, the summary printed at the end.
/// </summary>
public sealed class TerminalRunLog(TextWriter stdout, TextWriter stderr) : IRunLog
{
    private readonly SecretRedactor _redactor = new();
    private readonly Lock _lock = new();

    public void Mask(string secret)
    {
        if (!string.IsNullOrEmpty(secret)) _redactor.Add(secret);
    }

    public void Info(string message) => Write(stdout, message);
    public void Notice(string message) => Write(stdout, message);
    public void Warning(string message) => Write(stderr, "warning: " + message);
    public void Error(string message) => Write(stderr, "error: " + message);

    public IDisposable Group(string title)
    {
        Write(stdout, "── " + title);
        return new NoOp();
    }

    public void ToolOutput(string line, bool isError) => Write(isError ? stderr : stdout, line);
    public void SetOutput(string name, string value) { }
    public void AppendSummary(string markdown) { }

    private void Write(TextWriter writer, string line)
    {
        var text = _redactor.Redact(line);
        lock (_lock)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }

    private sealed class NoOp : IDisposable { public void Dispose() { } }
}
