using System.Text;

namespace TfMfa.RunLog;

/// <summary>
/// The run log on a GitHub runner: workflow commands on stdout, outputs in <c>$GITHUB_OUTPUT</c>
/// (heredoc form with a random delimiter), markdown appended to <c>$GITHUB_STEP_SUMMARY</c>.
/// </summary>
public sealed class GitHubRunLog(TextWriter stdout, TextWriter stderr, string? outputFile, string? summaryFile) : IRunLog
{
    private readonly SecretRedactor _redactor = new();
    private readonly Lock _lock = new();
    private readonly OutputLanes _lanes = new(stdout, stderr, TimeSpan.FromMilliseconds(50));

    public void Mask(string secret)
    {
        if (string.IsNullOrEmpty(secret)) return;
        _redactor.Add(secret);
        // The mask line is the one place a secret is written; the runner swallows it.
        foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            _lanes.Write(false, WorkflowCommand.Format("add-mask", line.TrimEnd('\r')), flushNow: true);
    }

    public void Info(string message) => Write(message);
    public void Notice(string message) => Write(WorkflowCommand.Format("notice", _redactor.Redact(message)));
    public void Warning(string message) => Write(WorkflowCommand.Format("warning", _redactor.Redact(message)));
    public void Error(string message) => Write(WorkflowCommand.Format("error", _redactor.Redact(message)));

    public IDisposable Group(string title)
    {
        Write(WorkflowCommand.Format("group", title));
        return new EndGroup(() => Write("::endgroup::"));
    }

    public void ToolOutput(string line, bool isError) => _lanes.Write(isError, _redactor.Redact(line), flushNow: false);

    public void SetOutput(string name, string value)
    {
        if (outputFile is null) return;
        value = _redactor.Redact(value);
        var delimiter = $"ghadelimiter_{Guid.NewGuid()}";
        if (name.Contains(delimiter, StringComparison.Ordinal) || value.Contains(delimiter, StringComparison.Ordinal))
            throw new InvalidOperationException($"output {name} contains the heredoc delimiter");
        lock (_lock) File.AppendAllText(outputFile, $"{name}<<{delimiter}\n{value}\n{delimiter}\n", new UTF8Encoding(false));
    }

    public void AppendSummary(string markdown)
    {
        if (summaryFile is null) return;
        lock (_lock) File.AppendAllText(summaryFile, _redactor.Redact(markdown) + "\n", new UTF8Encoding(false));
    }

    private void Write(string line) => _lanes.Write(false, _redactor.Redact(line), flushNow: true);

    public void Dispose() => _lanes.Dispose();

    private sealed class EndGroup(Action end) : IDisposable
    {
        private int _ended;
        public void Dispose() { if (Interlocked.Exchange(ref _ended, 1) == 0) end(); }
    }
}
