using System.Text;
using TfMfa.RunLog;

namespace TfMfa.AzurePipelines;

/// <summary>
/// The run log on an Azure Pipelines agent: logging commands on stdout (the agent reads both
/// streams; one keeps them in order), <c>task.setsecret</c> before a secret could appear, outputs as
/// output variables, the summary as a markdown file attached with <c>task.uploadsummary</c>. Every
/// line that is not TfMfa's own command is neutralised, so tool output cannot issue commands.
/// </summary>
public sealed class AzurePipelinesRunLog(TextWriter stdout, string? summaryDirectory) : IRunLog
{
    private readonly SecretRedactor _redactor = new();
    private readonly OutputLanes _lanes = new(stdout, stdout, TimeSpan.FromMilliseconds(50));
    private readonly HashSet<string> _masked = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private string? _summaryFile;
    private int _disposed;

    public void Mask(string secret)
    {
        if (string.IsNullOrEmpty(secret)) return;
        lock (_masked) if (!_masked.Add(secret)) return;
        _redactor.Add(secret);
        // The agent masks what it is told, line by line: a multi-line secret is also told line by line.
        Command(LoggingCommand.Format("task.setsecret", secret));
        if (secret.Contains('\n'))
            foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')))
            {
                _redactor.Add(line);
                Command(LoggingCommand.Format("task.setsecret", line));
            }
    }

    /// <summary>
    /// Never <c>task.setsecret</c>: the agent would mask that number everywhere in the log (line
    /// numbers, resource counts, ids). The code is never printed; TfMfa's own lines redact it all the same.
    /// </summary>
    public void MaskCode(string digits) => _redactor.Add(digits);

    public string Redact(string text) => _redactor.Redact(text);

    public void Info(string message) => Text(message);
    public void Notice(string message) => Text(message);
    public void Warning(string message) => Command(LoggingCommand.Format("task.logissue", LoggingCommand.Neutralise(_redactor.Redact(message)), ("type", "warning")));
    public void Error(string message) => Command(LoggingCommand.Format("task.logissue", LoggingCommand.Neutralise(_redactor.Redact(message)), ("type", "error")));

    public IDisposable Group(string title)
    {
        Command("##[group]" + LoggingCommand.Neutralise(_redactor.Redact(title)).Replace('\n', ' '));
        return new End(() => Command("##[endgroup]"));
    }

    public void ToolOutput(string line, bool isError) => _lanes.Write(false, LoggingCommand.Neutralise(_redactor.Redact(line)), flushNow: false);

    public Task ToolOutputAsync(Stream output, bool isError, CancellationToken cancellationToken) =>
        new ToolOutputCopier(_redactor, _lanes, LoggingCommand.Neutralise).CopyAsync(output, error: false, cancellationToken);

    /// <summary>Every tool line is neutralised anyway: a section needs no fence here.</summary>
    public IDisposable ToolOutputSection() => new End(() => { });

    /// <summary>GitHub's output names (<c>authenticated-by</c>) as Azure Pipelines variables (<c>authenticatedBy</c>).</summary>
    public void SetOutput(string name, string value) =>
        Command(LoggingCommand.Format("task.setvariable", _redactor.Redact(value), ("variable", CamelCase(name)), ("isoutput", "true")));

    public static string CamelCase(string name)
    {
        var parts = name.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    public void AppendSummary(string markdown)
    {
        if (summaryDirectory is null) return;
        lock (_lock)
        {
            _summaryFile ??= Path.Combine(summaryDirectory, $"tfmfa-summary-{Guid.NewGuid():N}.md");
            File.AppendAllText(_summaryFile, _redactor.Redact(markdown) + "\n", new UTF8Encoding(false));
        }
    }

    /// <summary>A line of TfMfa's own prose: redacted, and neutralised, since it may quote comment text.</summary>
    private void Text(string message)
    {
        foreach (var line in _redactor.Redact(message).Split('\n'))
            _lanes.Write(false, LoggingCommand.Neutralise(line.TrimEnd('\r')), flushNow: true);
    }

    private void Command(string line) => _lanes.Write(false, line, flushNow: true);

    /// <summary>The summary is attached once it is complete.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_summaryFile is not null) Command(LoggingCommand.Format("task.uploadsummary", _summaryFile));
        _lanes.Dispose();
    }

    private sealed class End(Action end) : IDisposable
    {
        private int _ended;
        public void Dispose() { if (Interlocked.Exchange(ref _ended, 1) == 0) end(); }
    }
}
