namespace TfMfa.StandIns.Runner;

/// <summary>One workflow command the runner would carry out: <c>::error::text</c> is ("error", "text").</summary>
public sealed record HonouredCommand(string Name, string Data, int Line);

/// <summary>
/// Reads a step's output the way GitHub's runner does (ActionCommandManager): a line that, leading
/// whitespace trimmed, starts with <c>::name</c> and has a second <c>::</c> is a command;
/// <c>::stop-commands::TOKEN</c> turns commands off until a line <c>::TOKEN::</c>. Tests use it to
/// ask which commands in an output would take effect.
/// </summary>
public static class RunnerCommandReader
{
    public static IReadOnlyList<HonouredCommand> Honoured(string output)
    {
        var honoured = new List<HonouredCommand>();
        string? stopToken = null;
        var lines = output.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimStart();
            if (!line.StartsWith("::", StringComparison.Ordinal)) continue;
            var end = line.IndexOf("::", 2, StringComparison.Ordinal);
            if (end < 0) continue;
            var head = line[2..end];
            var name = head.Split(' ', 2)[0];
            var data = line[(end + 2)..];

            if (stopToken is not null)
            {
                // While stopped, only the exact resume line counts.
                if (name == stopToken && data.Length == 0) stopToken = null;
                continue;
            }
            if (name == "stop-commands" && data.Length > 0)
            {
                stopToken = data;
                continue;
            }
            honoured.Add(new HonouredCommand(name, data, i + 1));
        }
        return honoured;
    }
}
