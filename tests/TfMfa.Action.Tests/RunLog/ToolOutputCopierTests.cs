using System.Text;
using TfMfa.AzurePipelines;
using TfMfa.GitHub;
using TfMfa.RunLog;
using TfMfa.StandIns.Runner;
using TfMfa.Terminal;

namespace TfMfa.Tests.RunLog;

/// <summary>
/// terraform's output as the process's stdout sees it: bytes through <see cref="ToolOutputCopier"/> into
/// a UTF-8 <see cref="StreamWriter"/>, the batched byte path the real program takes.
/// </summary>
public sealed class ToolOutputCopierTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    private StreamWriter Writer(MemoryStream stream) => new(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
    private string Written(MemoryStream stream) => Encoding.UTF8.GetString(stream.ToArray());

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(20)]
    [InlineData(39)]
    public async Task A_secret_split_across_two_reads_never_reaches_stdout(int splitAt)
    {
        var log = new GitHubRunLog(Writer(_stdout), Writer(_stderr), null, null);
        log.Mask(Secret);
        var line = Encoding.UTF8.GetBytes($"  + secret = \"{Secret}\"\nnext line\n");
        var at = line.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Secret)) + splitAt;

        await log.ToolOutputAsync(new ChunkedStream(line[..at], line[at..]), isError: false, TestContext.Current.CancellationToken);
        log.Dispose();

        var written = Written(_stdout);
        Assert.DoesNotContain(Secret[..4], written.Replace($"::add-mask::{Secret}", ""), StringComparison.Ordinal);
        Assert.Contains("  + secret = \"***\"\nnext line\n", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(25)]
    [InlineData(39)]
    public async Task A_secret_across_the_cut_through_a_line_longer_than_the_buffer_never_reaches_stdout(int shift)
    {
        var log = new TerminalRunLog(Writer(_stdout), Writer(_stderr));
        log.Mask(Secret);
        // The copier reads at most ReadBytes at a time: the secret sits where a cut through the line falls.
        var filler = new string('x', ToolOutputCopier.ReadBytes - Secret.Length + shift);
        var output = Encoding.UTF8.GetBytes($"{filler}{Secret}{filler}{Secret}\n");

        await log.ToolOutputAsync(new ChunkedStream(Slices(output, 4096)), isError: false, TestContext.Current.CancellationToken);
        log.Dispose();

        Assert.Equal($"{filler}***{filler}***\n", Written(_stdout));
    }

    [Fact]
    public async Task Overlapping_secrets_are_redacted_as_one_stretch_so_no_part_of_either_shows()
    {
        var log = new TerminalRunLog(Writer(_stdout), Writer(_stderr));
        log.Mask("abcdef");
        log.Mask("zzabc");
        log.Mask("xxabcdxx");

        await log.ToolOutputAsync(new ChunkedStream("zzabcdef and xxabcdxx, abcdef\n"u8.ToArray()), isError: false, TestContext.Current.CancellationToken);
        log.Dispose();

        Assert.Equal("*** and ***, ***\n", Written(_stdout));
    }

    [Fact]
    public async Task The_last_line_without_a_line_break_gets_one_so_the_fence_closes_on_a_line_of_its_own()
    {
        var log = new GitHubRunLog(Writer(_stdout), Writer(_stderr), null, null);
        using (log.ToolOutputSection())
            await log.ToolOutputAsync(new ChunkedStream("::warning::forged\nno line break"u8.ToArray()), isError: true, TestContext.Current.CancellationToken);
        log.Error("tfmfa's own error after the section");
        log.Dispose();

        var written = Written(_stdout);
        Assert.Equal([("error", "tfmfa's own error after the section")], RunnerCommandReader.Honoured(written).Select(c => (c.Name, c.Data)));
        Assert.Contains("\nno line break\n::tfmfa-", written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tfmfa_own_line_in_the_middle_of_a_long_tool_line_starts_a_line_of_its_own_and_is_honoured()
    {
        var log = new GitHubRunLog(Writer(_stdout), Writer(_stderr), null, null);
        var output = Encoding.UTF8.GetBytes(new string('y', 100_000) + "\n");
        var first = new TaskCompletionSource();
        using (log.ToolOutputSection())
        {
            var copy = log.ToolOutputAsync(new ChunkedStream([output[..70_000], output[70_000..]], afterFirst: first), isError: false, TestContext.Current.CancellationToken);
            await first.Task.WaitAsync(TestContext.Current.CancellationToken);
            log.Mask("late-secret-value"); // between the two halves of the line
            await copy;
        }
        log.Dispose();

        var honoured = RunnerCommandReader.Honoured(Written(_stdout));
        Assert.Equal([("add-mask", "late-secret-value")], honoured.Select(c => (c.Name, c.Data)));
    }

    [Fact]
    public async Task Tfmfa_own_lines_are_written_at_once_after_the_tool_output_before_them()
    {
        var log = new GitHubRunLog(Writer(_stdout), Writer(_stderr), null, null);

        await log.ToolOutputAsync(new ChunkedStream("terraform's line\n"u8.ToArray()), isError: false, TestContext.Current.CancellationToken);
        log.Info("tfmfa's own line");

        Assert.Equal("terraform's line\ntfmfa's own line\n", Written(_stdout));
        log.Dispose();
    }

    [Theory]
    [InlineData("##vso[task.setvariable variable=x]pwned")]
    [InlineData("  output: \"##VSO[task.complete result=Succeeded;]\"")]
    [InlineData("##[group]fake")]
    [InlineData("###[group]fake")]
    public async Task On_azure_tool_output_cannot_issue_a_logging_command(string line)
    {
        var log = new AzurePipelinesRunLog(Writer(_stdout), null);
        await log.ToolOutputAsync(new ChunkedStream(Encoding.UTF8.GetBytes(line + "\n")), isError: false, TestContext.Current.CancellationToken);
        log.Dispose();

        var written = Written(_stdout);
        Assert.DoesNotContain("##vso[", written, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("##[", written, StringComparison.Ordinal);
        Assert.Equal(line, written.TrimEnd('\n').Replace("\u200D", "", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task On_azure_a_logging_command_across_the_cut_through_a_long_line_is_neutralised(int shift)
    {
        var log = new AzurePipelinesRunLog(Writer(_stdout), null);
        var filler = new string('x', ToolOutputCopier.ReadBytes - 8 + shift);
        await log.ToolOutputAsync(new ChunkedStream(Slices(Encoding.UTF8.GetBytes($"{filler}##vso[task.complete]\n"), 4096)), isError: false, TestContext.Current.CancellationToken);
        log.Dispose();

        var written = Written(_stdout);
        Assert.DoesNotContain("##vso[", written, StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"{filler}##vso[task.complete]", written.TrimEnd('\n').Replace("\u200D", "", StringComparison.Ordinal));
    }

    [Fact]
    public void The_copier_pauses_after_catching_up_only_on_a_widened_pipe()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "pipe capacity (F_SETPIPE_SZ) is a Linux matter");
        using var server = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        using var memory = new MemoryStream();

        // A pipe at the kernel's default would fill during the pause and stall terraform; a stream that is no pipe has nothing to fill.
        Assert.False(ToolOutputCopier.PausesWhenCaughtUp(server));
        Assert.False(ToolOutputCopier.PausesWhenCaughtUp(memory));
        TfMfa.Hosting.PipeCapacity.Widen(server);
        Assert.True(ToolOutputCopier.PausesWhenCaughtUp(server));
    }

    [Fact]
    public void Redacting_bytes_with_no_secret_in_them_allocates_nothing()
    {
        var redactor = new SecretRedactor();
        redactor.Add(Secret);
        redactor.Add("ASIAEXAMPLEACCESSKEY");
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("  # aws_s3_bucket.state will be updated in-place\n", 100)));
        var output = new byte[text.Length];
        redactor.Redact(text, text.Length, output, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var written = redactor.Redact(text, text.Length, output, out var consumed);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(text.Length, consumed);
        Assert.Equal(text, output[..written]);
    }

    private static byte[][] Slices(byte[] bytes, int size) => bytes.Chunk(size).ToArray();

    /// <summary>A pipe that hands out exactly the given pieces, one per read.</summary>
    private sealed class ChunkedStream(byte[][] chunks, TaskCompletionSource? afterFirst = null) : Stream
    {
        private int _next;
        private int _offset;

        public ChunkedStream(params byte[][] chunks) : this(chunks, null) { }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_next == 1 && _offset == 0 && afterFirst is not null)
            {
                afterFirst.TrySetResult();
                await Task.Delay(100, cancellationToken); // the run log acts in between
            }
            if (_next == chunks.Length) return 0;
            var chunk = chunks[_next].AsMemory(_offset);
            var count = Math.Min(chunk.Length, buffer.Length);
            chunk[..count].CopyTo(buffer);
            _offset += count;
            if (_offset == chunks[_next].Length) (_next, _offset) = (_next + 1, 0);
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
