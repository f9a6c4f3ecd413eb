using System.Buffers;

namespace TfMfa.RunLog;

/// <summary>
/// Copies a tool's output stream into <see cref="OutputLanes"/> as UTF-8 bytes, allocating nothing per
/// line: pooled buffers, secrets redacted in place of decoding, and each read's complete lines handed
/// over in one write. A line is never cut at a read's edge, so neither is a secret in it. A line
/// longer than the buffer is passed on in pieces, each holding back what a secret (or a logging
/// command) starting near its end would still need.
/// </summary>
public sealed class ToolOutputCopier(SecretRedactor redactor, OutputLanes lanes, ToolOutputCopier.Rewrite? rewrite = null)
{
    /// <summary>
    /// A front end's change to redacted tool text (whole lines, or the head of a long one): writes
    /// into <c>output</c> (room for three times the text) and returns its length, or -1 when nothing changes.
    /// </summary>
    public delegate int Rewrite(ReadOnlySpan<byte> text, Span<byte> output);

    /// <summary>A quarter of the widened pipe (<see cref="Hosting.PipeCapacity"/>): one read takes what terraform wrote since the last.</summary>
    internal const int ReadBytes = 1 << 18;

    /// <summary>
    /// A read shorter than this means the reader caught up with terraform. Reading again at once would
    /// wake this thread for every few kilobytes terraform writes (each write into an empty pipe wakes the
    /// reader), taking a core from terraform on a two-core runner; a millisecond's pause lets the pipe fill,
    /// so a long plan is read in large pieces, while a quiet terraform is still waited on by a blocking read.
    /// Only on a widened pipe (Linux, <see cref="Hosting.PipeCapacity"/>): a small one would fill during the
    /// pause and stall terraform, and a millisecond's sleep lasts 15 on Windows.
    /// </summary>
    private const int CaughtUpBytes = 1 << 16;

    private static readonly TimeSpan CatchUpPause = TimeSpan.FromMilliseconds(1);

    /// <summary>Held back from a cut through a long line for a logging command (<c>##vso[</c>) that may straddle it.</summary>
    private const int CommandBytes = 6;

    /// <summary>
    /// Copies until the stream ends, on a thread of its own: a pipe's asynchronous read is a blocking read
    /// handed to the thread pool, and at a few kilobytes a read that hand-over cost more than the copy.
    /// </summary>
    public Task CopyAsync(Stream source, bool error, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Copy(source, error, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Copy(Stream source, bool error, CancellationToken cancellationToken)
    {
        var pausesWhenCaughtUp = PausesWhenCaughtUp(source);
        var input = ArrayPool<byte>.Shared.Rent(ReadBytes);
        byte[]? output = null, rewritten = null;
        try
        {
            var filled = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = source.Read(input.AsSpan(filled));
                if (read == 0) break;
                var caughtUp = pausesWhenCaughtUp && read < CaughtUpBytes;
                var newLine = input.AsSpan(filled, read).LastIndexOf((byte)'\n');
                var readFrom = filled;
                filled += read;
                int upTo;
                if (newLine >= 0) upTo = readFrom + newLine + 1;
                else if (filled < input.Length) continue;
                else if ((upTo = filled - Math.Max(redactor.LongestSecretBytes, CommandBytes) + 1) <= 0)
                {
                    // A secret longer than the buffer: make room to see it whole.
                    input = Grow(input, filled);
                    continue;
                }
                var consumed = Emit(input.AsSpan(0, filled), upTo, error, ref output, ref rewritten);
                input.AsSpan(consumed, filled - consumed).CopyTo(input);
                filled -= consumed;
                if (caughtUp) Thread.Sleep(CatchUpPause);
            }
            if (filled > 0)
            {
                // The last line without its line break: it gets one, so whatever the log writes next starts a line.
                if (filled == input.Length) input = Grow(input, filled);
                input[filled++] = (byte)'\n';
                Emit(input.AsSpan(0, filled), filled, error, ref output, ref rewritten);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            if (output is not null) ArrayPool<byte>.Shared.Return(output);
            if (rewritten is not null) ArrayPool<byte>.Shared.Return(rewritten);
        }
    }

    internal static bool PausesWhenCaughtUp(Stream source) => Hosting.PipeCapacity.IsWide(source);

    private int Emit(ReadOnlySpan<byte> text, int upTo, bool error, ref byte[]? output, ref byte[]? rewritten)
    {
        output = Fit(output, text.Length);
        var length = redactor.Redact(text, upTo, output, out var consumed);
        ReadOnlySpan<byte> redacted = output.AsSpan(0, length);
        if (rewrite is not null)
        {
            rewritten = Fit(rewritten, 3 * length + 8);
            var changed = rewrite(redacted, rewritten);
            if (changed >= 0) redacted = rewritten.AsSpan(0, changed);
        }
        lanes.WriteTool(error, redacted);
        return consumed;
    }

    private static byte[] Fit(byte[]? buffer, int length)
    {
        if (buffer is not null && buffer.Length >= length) return buffer;
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        return ArrayPool<byte>.Shared.Rent(Math.Max(length, ReadBytes));
    }

    private static byte[] Grow(byte[] buffer, int filled)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, filled).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
