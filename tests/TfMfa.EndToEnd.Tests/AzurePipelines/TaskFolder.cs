using System.IO.Compression;
using System.Security.Cryptography;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>The task folder a run uses: CI's built one (TFMFA_TASK_DIR), else one made once from the repository's shim.</summary>
public static class TaskFolder
{
    private static readonly Lazy<string> Folder = new(Make);

    public static string Path => Folder.Value;

    /// <summary>True when the runs use the .vsix's own self-contained binary.</summary>
    public static bool IsBuilt => System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 };

    /// <summary>
    /// Puts a program where the shim looks for it, packed as azure-pipelines/pack-binary.js packs the real one:
    /// <c>name.br</c> (brotli) and <c>name.sha256</c> (the SHA-256 of the program itself, lowercase hex).
    /// </summary>
    public static void Pack(string directory, string name, byte[] program)
    {
        Directory.CreateDirectory(directory);
        using (var file = File.Create(System.IO.Path.Combine(directory, name + ".br")))
        using (var brotli = new BrotliStream(file, CompressionLevel.SmallestSize))
            brotli.Write(program);
        File.WriteAllText(System.IO.Path.Combine(directory, name + ".sha256"), Convert.ToHexStringLower(SHA256.HashData(program)) + "\n");
    }

    private static string Make()
    {
        if (System.Environment.GetEnvironmentVariable("TFMFA_TASK_DIR") is { Length: > 0 } built)
        {
            if (!File.Exists(System.IO.Path.Combine(built, "bin", "linux-x64", "tfmfa.br")))
                Assert.Fail($"TFMFA_TASK_DIR={built} has no bin/linux-x64/tfmfa.br: run azure-pipelines/build-vsix first");
            return built;
        }
        var source = System.IO.Path.Combine(RepositoryRoot.Path, "azure-pipelines", "task");
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tfmfa-task-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        File.Copy(System.IO.Path.Combine(source, "index.js"), System.IO.Path.Combine(folder, "index.js"));
        File.Copy(System.IO.Path.Combine(source, "task.json"), System.IO.Path.Combine(folder, "task.json"));
        // The program from its build output, behind the name the shim unpacks and starts; exec keeps signals direct.
        Pack(System.IO.Path.Combine(folder, "bin", "linux-x64"), "tfmfa",
            System.Text.Encoding.UTF8.GetBytes($"#!/bin/sh\nexec dotnet '{ActionProcess.ProgramPath}' \"$@\"\n"));
        return folder;
    }
}
