using TfMfa.RunLog;
using System.Text;

namespace TfMfa.GitHub;

/// <summary>
/// The run log on a GitHub runner: workflow commands on stdout, outputs in <c>$GITHUB_OUTPUT</c>
/// (heredoc form with a random delimiter), markdown appended to <c>$GITHUB_STEP_SUMMARY</c>.
/// Tool output is fenced by <c>::stop-commands::&lt;random token&gt;</c> ... <c>::&lt;token&gt;::</c>,
/// so a line terraform prints can never act as a workflow command.
/// </summary>
public sealed class GitHubRunLog(TextWriter stdout, TextWriter stderr, string? outputFile, string? summaryFile) : IRunLog
{
    private readonly SecretRedactor _redactor = new();
    private readonly Lock _lock = new();
    private readonly OutputLanes _lanes = new(stdout, stderr, TimeSpan.FromMilliseconds(50));
    private string? _stopToken;
    private int _toolSections;

    private readonly HashSet<string> _masked = new(StringComparer.Ordinal);

    public void Mask(string secret)
    {
        if (string.IsNullOrEmpty(secret)) return;
        lock (_masked) if (!_masked.Add(secret)) return; // announced once, however many names it came under
        _redactor.Add(secret);
        // The mask line is the one place a secret is written; the runner swallows it.
        foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            WriteCommand(WorkflowCommand.Format("add-mask", line.TrimEnd('\r')));
    }

    public string Redact(string text) => _redactor.Redact(text);

    public void Info(string message) => Write(message);
    public void Notice(string message) => Write(WorkflowCommand.Format("notice", _redactor.Redact(message)));
    public void Warning(string message) => Write(WorkflowCommand.Format("warning", _redactor.Redact(message)));
    public void Error(string message) => Write(WorkflowCommand.Format("error", _redactor.Redact(message)));

    public IDisposable Group(string title)
    {
        Write(WorkflowCommand.Format("group", title));
        return new EndGroup(() => Write("::endgroup::"));
    }

    /// <summary>
    /// The runner reads commands on both stdout and stderr, and does not keep the two in order. So
    /// tool output goes to stdout, the stream that carries the fence, and nothing can slip past it.
    /// </summary>
    public void ToolOutput(string line, bool isError) => _lanes.Write(false, _redactor.Redact(line), flushNow: false);

    public Task ToolOutputAsync(Stream output, bool isError, CancellationToken cancellationToken) =>
        new ToolOutputCopier(_redactor, _lanes).CopyAsync(output, error: false, cancellationToken);

    public IDisposable ToolOutputSection()
    {
        lock (_lock)
        {
            if (_toolSections++ == 0) StopCommandsLocked();
        }
        return new EndGroup(() =>
        {
            lock (_lock)
            {
                if (--_toolSections == 0) ResumeCommandsLocked();
            }
        });
    }

    /// <summary>
    /// A fresh unguessable token each time: a tool that saw one in an earlier section cannot end the
    /// next. Random GUIDs come from the OS's CSPRNG (as the toolkit's uuid v4 tokens do); unlike
    /// RandomNumberGenerator they do not load OpenSSL, which costs a run without MFA ~70 MB of RSS.
    /// </summary>
    private void StopCommandsLocked()
    {
        _stopToken = $"tfmfa-{Guid.NewGuid():N}{Guid.NewGuid():N}";
        _lanes.Write(false, $"::stop-commands::{_stopToken}", flushNow: true);
    }

    private void ResumeCommandsLocked()
    {
        if (_stopToken is null) return;
        _lanes.Write(false, $"::{_stopToken}::", flushNow: true);
        _stopToken = null;
    }

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

    private void Write(string line) => WriteCommand(_redactor.Redact(line));

    /// <summary>TfMfa's own lines are commands the runner must honour, even inside a tool section: resume, write, stop anew.</summary>
    private void WriteCommand(string line)
    {
        lock (_lock)
        {
            var fenced = _stopToken is not null;
            if (fenced) ResumeCommandsLocked();
            _lanes.Write(false, line, flushNow: true);
            if (fenced) StopCommandsLocked();
        }
    }

    public void Dispose() => _lanes.Dispose();

    private sealed class EndGroup(Action end) : IDisposable
    {
        private int _ended;
        public void Dispose() { if (Interlocked.Exchange(ref _ended, 1) == 0) end(); }
    }
}
