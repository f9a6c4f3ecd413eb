using System.Text;

namespace TfMfa.RunLog;

/// <summary>
/// Standard output and error, written under one lock. TfMfa's own lines are flushed at once;
/// terraform's output is gathered in a batch and written in one call when the batch is full or
/// <c>flushEvery</c> has passed, so hundreds of megabytes stream at full speed instead of one write
/// call per line.
/// </summary>
public sealed class OutputLanes : IDisposable
{
    private readonly Lane _stdout;
    private readonly Lane _stderr;
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private bool _dirty;

    public OutputLanes(TextWriter stdout, TextWriter stderr, TimeSpan flushEvery)
    {
        _stdout = new Lane(stdout);
        _stderr = ReferenceEquals(stdout, stderr) ? _stdout : new Lane(stderr);
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

    /// <summary>Tool output as UTF-8: whole lines, or the head of a very long one. Written with the next batch.</summary>
    public void WriteTool(bool error, ReadOnlySpan<byte> text)
    {
        lock (_lock)
        {
            (error ? _stderr : _stdout).Write(text);
            _dirty = true;
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

    /// <summary>
    /// One stream. Over a UTF-8 <see cref="StreamWriter"/> (the process's own stdout) bytes go
    /// straight to its stream through one reused batch; any other writer (a test's) gets text.
    /// </summary>
    private sealed class Lane
    {
        private const int BatchBytes = 1 << 16;

        private readonly TextWriter _writer;
        private readonly Stream? _stream;
        private readonly byte[] _newLine;
        private readonly byte[] _batch = [];
        private int _length;
        private bool _midLine;

        public Lane(TextWriter writer)
        {
            _writer = writer;
            _newLine = Encoding.UTF8.GetBytes(writer.NewLine);
            if (writer is StreamWriter { Encoding: UTF8Encoding } streamWriter)
            {
                streamWriter.Flush();
                _stream = streamWriter.BaseStream;
                _batch = new byte[BatchBytes];
            }
        }

        public void Write(ReadOnlySpan<byte> text)
        {
            if (text.IsEmpty) return;
            _midLine = text[^1] != (byte)'\n';
            if (_stream is null)
            {
                _writer.Write(Encoding.UTF8.GetString(text));
                return;
            }
            if (_length + text.Length > _batch.Length) Drain();
            if (text.Length > _batch.Length)
            {
                _stream.Write(text);
                return;
            }
            text.CopyTo(_batch.AsSpan(_length));
            _length += text.Length;
        }

        /// <summary>A whole line of TfMfa's own, on a line of its own even after the head of a long tool line.</summary>
        public void WriteLine(string line)
        {
            if (_midLine) Write(_newLine);
            _midLine = false;
            if (_stream is null)
            {
                _writer.WriteLine(line);
                return;
            }
            var needed = Encoding.UTF8.GetMaxByteCount(line.Length) + _newLine.Length;
            if (_length + needed > _batch.Length) Drain();
            if (needed > _batch.Length)
            {
                _stream.Write(Encoding.UTF8.GetBytes(line + _writer.NewLine));
                return;
            }
            _length += Encoding.UTF8.GetBytes(line, _batch.AsSpan(_length));
            _newLine.CopyTo(_batch.AsSpan(_length));
            _length += _newLine.Length;
        }

        public void Flush()
        {
            Drain();
            if (_stream is null) _writer.Flush();
            else _stream.Flush();
        }

        private void Drain()
        {
            if (_length == 0) return;
            _stream!.Write(_batch, 0, _length);
            _length = 0;
        }
    }
}
