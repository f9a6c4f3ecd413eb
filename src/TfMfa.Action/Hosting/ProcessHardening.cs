using System.Runtime.InteropServices;

namespace TfMfa.Hosting;

/// <summary>
/// Makes this process unreadable to the processes it starts. terraform runs as TfMfa's own user,
/// so without this it could read TfMfa's initial environment (the long-term secret key, the GitHub
/// token) from <c>/proc/&lt;pid&gt;/environ</c>, and its memory from <c>/proc/&lt;pid&gt;/mem</c>,
/// whatever environment it was given. A process that is not "dumpable" has its <c>/proc</c> files
/// owned by root and refuses ptrace to anyone without CAP_SYS_PTRACE, which a container action lacks.
/// </summary>
public static partial class ProcessHardening
{
    private const int PrSetDumpable = 4;
    private const int PrGetDumpable = 3;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Clears the dumpable flag; returns null on success, else why it could not (the caller logs it).</summary>
    public static string? MakeUnreadableToChildren()
    {
        if (!OperatingSystem.IsLinux()) return null; // /proc/<pid>/environ is a Linux matter; macOS has no such file
        if (Prctl(PrSetDumpable, 0, 0, 0, 0) == 0 && Prctl(PrGetDumpable, 0, 0, 0, 0) == 0) return null;
        return $"prctl(PR_SET_DUMPABLE, 0) failed (errno {Marshal.GetLastPInvokeError()})";
    }

    /// <summary>
    /// Removes the .NET runtime's diagnostics port (a Unix socket, <c>dotnet-diagnostic-&lt;pid&gt;-*-socket</c> in the temp
    /// directory), which the runtime opens before any of TfMfa's code runs. It answers anyone with TfMfa's uid: where
    /// terraform runs as that uid (a non-root runner), its code could ask the port for TfMfa's environment, the
    /// long-term key included, or have it load a profiler or a startup hook, whatever the dumpable flag says. With
    /// its path gone nobody can connect. The image and the Azure task also start TfMfa with
    /// <c>DOTNET_EnableDiagnostics=0</c>, so there is no port at all; this covers every other way of starting it.
    /// Returns null when no port is left, else why (the caller logs it).
    /// </summary>
    public static string? CloseDiagnosticsPort()
    {
        if (OperatingSystem.IsWindows()) return null; // a named pipe there, and no uid wall to keep: terraform runs as TfMfa's user
        var pattern = $"dotnet-diagnostic-{Environment.ProcessId}-*-socket";
        try
        {
            foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), pattern)) File.Delete(socket);
            return Directory.EnumerateFiles(Path.GetTempPath(), pattern).Any() ? $"the .NET diagnostics port ({pattern}) could not be removed" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"the .NET diagnostics port ({Path.Combine(Path.GetTempPath(), pattern)}) could not be removed ({e.Message})";
        }
    }
}
