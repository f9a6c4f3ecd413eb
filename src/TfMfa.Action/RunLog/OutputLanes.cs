namespace TfMfa.RunLog;

/// <summary>
/// Standard output and error, written under one lock. TfMfa's own lines are flushed at once;
/// terraform's output is flushed in batches, at most <c>flushEvery</c> apart, so hundreds of
/// megabytes stream at full speed instead of one write call per line.
/// </summary>
public sealed class OutputLanes : IDisposable
{
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private bool _dirty;

    public OutputLanes(TextWriter stdout, TextWriter stderr, TimeSpan flushEvery)
    {
        _stdout = stdout;
        _stderr = stderr;
        _timer = new Timer(_ => FlushIfDirty(), null, flushEvery, flushEvery);
    }

    public void Write(bool error, string line, bool flushNow)
    {
        lock (_lock)
        {
            (error ? _stderr : _stdout).WriteLine(line);
            if (flushNow) FlushLocked();
            else _dirty = true;
        }
    }

    private void FlushIfDirty()
    {
        lock (_lock)
            if (_dirty) FlushLocked();
    }

    private void FlushLocked()
    {
        _stdout.Flush();
        _stderr.Flush();
        _dirty = false;
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock) FlushLocked();
    }
}
