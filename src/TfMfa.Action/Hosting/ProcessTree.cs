using System.Globalization;
using System.Runtime.InteropServices;

namespace TfMfa.Hosting;

/// <summary>A process terraform left running, as <c>/proc</c> names it.</summary>
public sealed record LeftoverProcess(int Pid, string Name)
{
    public override string ToString() => $"pid {Pid} ({Name})";
}

/// <summary>What stopping the leftovers of a terraform run came to.</summary>
/// <param name="Killed">Processes that were running after terraform exited, now killed.</param>
/// <param name="Survivors">Processes still alive after every try: the run must not go on.</param>
public sealed record Leftovers(IReadOnlyList<LeftoverProcess> Killed, IReadOnlyList<LeftoverProcess> Survivors);

/// <summary>
/// Nothing terraform starts outlives the terraform run that started it. Code in the commit runs
/// before anyone gives a code (the S3 backend's <c>credential_process</c>, <c>data "external"</c>,
/// providers); a process it leaves behind could wait for the terraform that holds the MFA session
/// and read the session from its <c>/proc/&lt;pid&gt;/environ</c>. TfMfa is a child subreaper, so
/// whatever terraform's children detach (double fork, <c>setsid</c>, <c>nohup</c>) is re-parented
/// to TfMfa instead of init, and so stays a descendant that can be found and killed.
/// </summary>
public static partial class ProcessTree
{
    private const int PrSetChildSubreaper = 36;
    private const int SigKill = 9;
    private const int WNoHang = 1;

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    /// <summary>Makes orphaned descendants TfMfa's children; returns null on success, else why not (the caller logs it).</summary>
    public static string? BecomeSubreaper()
    {
        if (!OperatingSystem.IsLinux()) return "child subreapers are a Linux feature";
        return Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0 ? null : $"prctl(PR_SET_CHILD_SUBREAPER) failed (errno {Marshal.GetLastPInvokeError()})";
    }

    /// <summary>Sends <paramref name="signal"/> to the children of <paramref name="parent"/> (for an interrupt that must reach terraform behind a launcher).</summary>
    public static void Signal(int parent, int signal)
    {
        foreach (var child in Snapshot().Where(p => p.ParentPid == parent)) _ = Kill(child.Pid, signal);
    }

    /// <summary>
    /// Kills every living descendant of this process, again and again until none is left (a process
    /// may fork while the others die), and reaps those re-parented here. Gives up after
    /// <paramref name="patience"/>; what still lives then is reported as a survivor.
    /// </summary>
    public static Leftovers KillDescendants(TimeSpan patience)
    {
        if (!OperatingSystem.IsLinux()) return new([], []);
        var self = Environment.ProcessId;
        var killed = new Dictionary<int, LeftoverProcess>();
        var deadline = DateTime.UtcNow + patience; // wall time on purpose: this waits on the kernel, not on the run's clock
        while (true)
        {
            var living = Descendants(self).Where(p => p.State is not ('Z' or 'X')).ToList();
            ReapZombies(self);
            if (living.Count == 0) return new([.. killed.Values], []);
            if (DateTime.UtcNow > deadline) return new([.. killed.Values], [.. living.Select(p => p.Describe())]);
            foreach (var process in living)
            {
                killed.TryAdd(process.Pid, process.Describe());
                _ = Kill(process.Pid, SigKill);
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Children re-parented here have nobody else to collect their exit status.</summary>
    private static void ReapZombies(int self)
    {
        foreach (var zombie in Snapshot().Where(p => p.ParentPid == self && p.State == 'Z'))
            _ = WaitPid(zombie.Pid, out _, WNoHang);
    }

    private static IEnumerable<ProcessEntry> Descendants(int root)
    {
        var byParent = Snapshot().ToLookup(p => p.ParentPid);
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
            foreach (var child in byParent[pending.Pop()])
            {
                yield return child;
                pending.Push(child.Pid);
            }
    }

    private sealed record ProcessEntry(int Pid, int ParentPid, char State, string Name)
    {
        public LeftoverProcess Describe() => new(Pid, Name);
    }

    private static List<ProcessEntry> Snapshot()
    {
        var entries = new List<ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                var name = stat[(stat.IndexOf('(') + 1)..close];
                entries.Add(new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0], name));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                // It ended while we looked.
            }
        }
        return entries;
    }
}
