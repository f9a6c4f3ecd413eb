using System.Diagnostics;
using System.Globalization;
using CliWrap;

namespace TfMfa.Bench;

/// <summary>
/// One run of the program: when its first line and a chosen line came (and an end marker, with the
/// bytes between the two), and its peak resident memory (VmHWM).
/// </summary>
public sealed record RunTiming(int ExitCode, double FirstLineMs, double? MarkerMs, double TotalMs, long PeakKilobytes, long StdoutBytes, string LastError,
    double? EndMarkerMs = null, long BytesBetweenMarkers = 0, double CpuMs = double.NaN);

public static class ProcessRun
{
    /// <summary>Set <c>TFMFA_BENCH_DOTNET_X=v</c> to run the program with <c>DOTNET_X=v</c> (GC and JIT settings tried without a rebuild).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> RuntimeSettings() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith("TFMFA_BENCH_DOTNET_", StringComparison.Ordinal))
            .Select(n => KeyValuePair.Create(n["TFMFA_BENCH_".Length..], Environment.GetEnvironmentVariable(n)));

    public static async Task<RunTiming> RunAsync(Repository.Build build, IReadOnlyDictionary<string, string?> environment, string? marker = null, TimeSpan? timeout = null,
        string? endMarker = null)
    {
        var merged = new Dictionary<string, string?>(environment);
        // The build's own settings, then any the bench was told to try (TFMFA_BENCH_DOTNET_*), the later winning.
        foreach (var (name, value) in (build.Environment ?? new Dictionary<string, string?>()).Concat(RuntimeSettings())) merged[name] = value;
        environment = merged;
        var end = System.Text.Encoding.ASCII.GetBytes(endMarker ?? "");
        double? endAt = null;
        long bytesAtStart = 0, bytesAtEnd = 0;
        var endTail = new byte[Math.Max(end.Length - 1, 0)];
        var endTailLength = 0;
        var (program, arguments) = Repository.Command(build);
        var watch = Stopwatch.StartNew();
        double? first = null, markerAt = null;
        long bytes = 0;
        var lastError = "";
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        var command = Cli.Wrap(program).WithArguments(arguments).WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => lastError = line))
            // Read as cat reads: blocking reads on a thread of its own into one large buffer, so the reader
            // is not what limits the streaming figures (an async read of a pipe is a blocking read handed to the pool).
            .WithStandardOutputPipe(PipeTarget.Create((stream, ct) => Task.Factory.StartNew(() =>
            {
                var buffer = new byte[1 << 20];
                var seen = new byte[buffer.Length + endTail.Length];
                int read;
                var tail = "";
                while ((read = stream.Read(buffer)) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    first ??= watch.Elapsed.TotalMilliseconds;
                    bytes += read;
                    if (markerAt is null || end.Length == 0 || endAt is not null)
                    {
                        var text = tail + System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(read, 4096));
                        if (text.LastIndexOf("::error::", StringComparison.Ordinal) is var at and >= 0) lastError = text[at..].Split('\n')[0];
                        if (marker is not null && markerAt is null && text.Contains(marker, StringComparison.Ordinal))
                            (markerAt, bytesAtStart) = (watch.Elapsed.TotalMilliseconds, bytes - read);
                        tail = text.Length > 200 ? text[^200..] : text;
                    }
                    else
                    {
                        // The whole read (and the end of the one before), byte for byte: the end marker is in the last read's tail.
                        endTail.AsSpan(0, endTailLength).CopyTo(seen);
                        buffer.AsSpan(0, read).CopyTo(seen.AsSpan(endTailLength));
                        var length = endTailLength + read;
                        if (seen.AsSpan(0, length).IndexOf(end) >= 0) (endAt, bytesAtEnd) = (watch.Elapsed.TotalMilliseconds, bytes);
                        endTailLength = Math.Min(endTail.Length, length);
                        seen.AsSpan(length - endTailLength, endTailLength).CopyTo(endTail);
                    }
                }
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        var task = command.ExecuteAsync(cancellation.Token);
        var peak = 0L;
        var cpuMs = double.NaN;
        var status = $"/proc/{task.ProcessId}/status";
        // Diagnostics: TFMFA_BENCH_SMAPS=file keeps the program's memory map as it was when its peak last grew, one file.pid per run.
        var smaps = Environment.GetEnvironmentVariable("TFMFA_BENCH_SMAPS") is { } file ? $"{file}.{task.ProcessId}" : null;
        while (!task.Task.IsCompleted)
        {
            var now = ReadHighWaterMark(status);
            if (smaps is not null && now > peak)
                try { File.Copy($"/proc/{task.ProcessId}/smaps", smaps, overwrite: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            peak = Math.Max(peak, now);
            if (ReadCpuMs($"/proc/{task.ProcessId}/stat") is { } cpu) cpuMs = cpu;
            await Task.WhenAny(task.Task, Task.Delay(20));
        }
        var result = await task;
        return new RunTiming(result.ExitCode, first ?? double.NaN, markerAt, watch.Elapsed.TotalMilliseconds, peak, bytes, lastError, endAt, bytesAtEnd - bytesAtStart, cpuMs);
    }

    /// <summary>The program's own CPU time so far (user + system; its children's are not in it), as last seen before it ended.</summary>
    private static double? ReadCpuMs(string stat)
    {
        try
        {
            var text = File.ReadAllText(stat);
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // Fields 14 and 15 of proc_pid_stat(5), counted from the state (field 3) here.
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000.0 / 100;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static long ReadHighWaterMark(string status)
    {
        try
        {
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }
}
