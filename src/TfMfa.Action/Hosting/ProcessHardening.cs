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
}
