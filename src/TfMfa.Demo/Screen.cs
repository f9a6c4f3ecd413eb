namespace TfMfa.Demo;

/// <summary>The demo's terminal: two lanes, the action's log as a runner shows it and the pull-request conversation.</summary>
public static class Screen
{
    private static readonly Lock Gate = new();
    private static readonly bool Color = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null;

    public static void Title(string text) => Write("", $"\n{Bold(text)}\n{new string('─', Math.Min(text.Length, 78))}");

    public static void Say(string text) => Write("", text);

    public static void Action(string line) => Write(Dim("action │ "), line);

    public static void Conversation(string line, string where = "") => Write(Cyan($"{(where.Length > 0 ? where : $"PR #{DemoWorld.PullRequest}"),-6} │ "), line);

    private static void Write(string prefix, string text)
    {
        lock (Gate)
            foreach (var line in text.Split('\n'))
                Console.WriteLine(prefix + line);
    }

    public static string Bold(string text) => Color ? $"\e[1m{text}\e[0m" : text;
    private static string Dim(string text) => Color ? $"\e[2m{text}\e[0m" : text;
    private static string Cyan(string text) => Color ? $"\e[36m{text}\e[0m" : text;
}
