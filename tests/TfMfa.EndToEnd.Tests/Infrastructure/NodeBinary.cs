namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>Finds node on PATH for the task's shim. Tests that need it skip with the reason when it is missing, unless CI demands it.</summary>
public static class NodeBinary
{
    public static string? Path { get; } =
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "node"))
            .FirstOrDefault(File.Exists);

    public static void Require()
    {
        if (Path is not null) return;
        const string why = "node is not on PATH; install Node 20 or later (the Azure Pipelines agent's Node20_1 handler) to run the task's tests";
        if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_NODE") == "1") Assert.Fail(why);
        Assert.Skip(why);
    }
}
