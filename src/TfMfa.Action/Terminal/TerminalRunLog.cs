using TfMfa.RunLog;
namespace TfMfa.Terminal;

/// <summary>
/// The run log on a laptop: plain lines, secrets redacted but never echoed (an <c>::add-mask::</c>
/// line would print the secret on the screen), no outputs file and no step summary.
/// </summary>
public sealed class TerminalRunLog(TextWriter stdout, TextWriter stderr) : IRunLog
{
    private readonly SecretRedactor _redactor = new();
    private readonly OutputLanes _lanes = new(stdout, stderr, TimeSpan.FromMilliseconds(50));

    public void Mask(string secret)
    {
        if (!string.IsNullOrEmpty(secret)) _redactor.Add(secret);
    }

    public string Redact(string text) => _redactor.Redact(text);

    public void Info(string message) => Write(false, message);
    public void Notice(string message) => Write(false, message);
    public void Warning(string message) => Write(true, "warning: " + message);
    public void Error(string message) => Write(true, "error: " + message);

    public IDisposable Group(string title)
    {
        Write(false, "── " + title);
        return new NoOp();
    }

    public void ToolOutput(string line, bool isError) => _lanes.Write(isError, _redactor.Redact(line), flushNow: false);

    public Task ToolOutputAsync(Stream output, bool isError, CancellationToken cancellationToken) =>
        new ToolOutputCopier(_redactor, _lanes).CopyAsync(output, isError, cancellationToken);
    public IDisposable ToolOutputSection() => new NoOp(); // a terminal honours no commands
    public void SetOutput(string name, string value) { }
    public void AppendSummary(string markdown) { }

    private void Write(bool error, string line) => _lanes.Write(error, _redactor.Redact(line), flushNow: true);

    public void Dispose() => _lanes.Dispose();

    private sealed class NoOp : IDisposable { public void Dispose() { } }
}
