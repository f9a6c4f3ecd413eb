using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>The task folder a run uses: CI's built one (TFMFA_TASK_DIR), else one made once from the repository's shim.</summary>
public static class TaskFolder
{
    private static readonly Lazy<string> Folder = new(Make);

    public static string Path => Folder.Value;

    /// <summary>True when the runs use the .vsix's own self-contained binary.</summary>
    public static bool IsBuilt => System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 };

    private static string Make()
    {
        if (System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 } built)
        {
            if (!File.Exists(System.IO.Path.Combine(built, "bin", "linux-x64", "tfmfa")))
                Assert.Fail($"TFMFA_TASK_DIR={built} has no bin/linux-x64/tfmfa: run azure-pipelines/build-vsix first");
            return built;
        }
        var source = System.IO.Path.Combine(RepositoryRoot.Path, "azure-pipelines", "task");
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tfmfa-task-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(System.IO.Path.Combine(folder, "bin", "linux-x64"));
        File.Copy(System.IO.Path.Combine(source, "index.js"), System.IO.Path.Combine(folder, "index.js"));
        File.Copy(System.IO.Path.Combine(source, "task.json"), System.IO.Path.Combine(folder, "task.json"));
        // The program from its build output, behind the name the shim starts; exec keeps signals direct.
        var binary = System.IO.Path.Combine(folder, "bin", "linux-x64", "tfmfa");
        File.WriteAllText(binary, $"#!/bin/sh\nexec dotnet '{ActionProcess.ProgramPath}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
        return folder;
    }
}
