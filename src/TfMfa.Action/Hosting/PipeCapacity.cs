using System.IO.Pipes;
using System.Runtime.InteropServices;

namespace TfMfa.Hosting;

/// <summary>
/// Widens the pipe terraform writes into. Linux gives a pipe 64 KiB, and a writer that fills it sleeps
/// until the reader drains it, so hundreds of megabytes of plan output cost thousands of sleeps and
/// wake-ups on both sides, each taking CPU from terraform on a small runner. At 1 MiB (an unprivileged
/// process's limit, /proc/sys/fs/pipe-max-size) each read takes what terraform wrote meanwhile.
/// </summary>
public static partial class PipeCapacity
{
    private const int SetPipeSize = 1031; // F_SETPIPE_SZ
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ
    public const int Bytes = 1 << 20;

    [LibraryImport("libc", EntryPoint = "fcntl")]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>
    /// This process's standard output, when it is a pipe (the runner's or the agent's reader): terraform's output
    /// leaves in the large writes it came in, and whoever reads it wakes once per write, not per 64 KiB.
    /// </summary>
    public static void WidenStandardOutput()
    {
        // Only ever grows it (a reader may have made it larger); F_GETPIPE_SZ fails when stdout is no pipe.
        if (OperatingSystem.IsLinux() && Fcntl(1, GetPipeSize, 0) is > 0 and < Bytes) Fcntl(1, SetPipeSize, Bytes);
    }

    /// <summary>Best effort: a stream that is not a Linux pipe, or a user over the kernel's pipe quota, keeps the default.</summary>
    public static void Widen(Stream stream) => OnPipe(stream, SetPipeSize, Bytes);

    /// <summary>True when <paramref name="stream"/> is a pipe of at least <see cref="Bytes"/>: one that was widened.</summary>
    public static bool IsWide(Stream stream) => Of(stream) >= Bytes;

    /// <summary>The pipe's capacity in bytes, or null when the stream is not a Linux pipe.</summary>
    public static int? Of(Stream stream) => OnPipe(stream, GetPipeSize, 0) is var size and >= 0 ? size : null;

    private static int OnPipe(Stream stream, int command, int argument)
    {
        if (!OperatingSystem.IsLinux() || stream is not PipeStream { SafePipeHandle: { IsInvalid: false } handle }) return -1;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Fcntl((int)handle.DangerousGetHandle(), command, argument);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }
}
