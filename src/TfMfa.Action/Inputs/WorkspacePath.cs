using TfMfa.Config;

namespace TfMfa.Inputs;

/// <summary>
/// Paths the workflow names (<c>working-directory</c>, <c>config</c>) stay inside the workspace: no
/// absolute path, no <c>..</c> that leaves it, and no symlink that points out of it (a config
/// linked to <c>/dev/zero</c> would hang the run or fill its memory). Symlinks are followed here, and
/// the real path returned is the one used, so what was checked is what is opened.
/// </summary>
public static class WorkspacePath
{
    /// <summary>The most of a workspace config TfMfa reads: the contents API's own limit for the default branch's copy.</summary>
    public const int MaxConfigBytes = 1024 * 1024;

    public static string Resolve(string workspace, string value, string input)
    {
        if (Path.IsPathRooted(value) || value.StartsWith('~'))
            throw new ConfigException([$"input '{input}' must be a path relative to the workspace (got the absolute path '{value}'); write it like infra/production"]);
        var root = RealPath(Path.GetFullPath(workspace));
        var lexical = Path.GetFullPath(Path.Combine(root, value));
        if (!IsInside(root, lexical))
            throw new ConfigException([$"input '{input}': '{value}' leads out of the workspace; name a path inside it"]);
        string real;
        try
        {
            real = RealPath(lexical);
        }
        catch (IOException e)
        {
            throw new ConfigException([$"input '{input}': '{value}' cannot be resolved ({e.Message}); point it at a real path inside the workspace"]);
        }
        if (!IsInside(root, real))
            throw new ConfigException([$"input '{input}': '{value}' is a symlink that leads out of the workspace (to {real}); point it at a path inside the workspace"]);
        return real;
    }

    /// <summary>The runner's own temp directory, where a plan job may keep its plan: RUNNER_TEMP on GitHub, AGENT_TEMPDIRECTORY on Azure Pipelines.</summary>
    public static readonly string[] RunnerTempVariables = ["RUNNER_TEMP", "AGENT_TEMPDIRECTORY"];

    /// <summary>
    /// <c>plan-file</c>, relative to the working directory as terraform reads it, or absolute: it
    /// stays inside the workspace or the runner's temp directory, with no <c>..</c> and no symlink
    /// out. Otherwise a plan job writes its plan over any file the job can write (<c>~/.terraformrc</c>,
    /// the runner's file commands), and an apply shows and applies a file nobody downloaded.
    /// Returns the real path (the file need not exist yet).
    /// </summary>
    public static string ResolvePlanFile(string workspace, string workingDirectory, IReadOnlyList<string> runnerTemps, string value)
    {
        var roots = new[] { workspace }.Concat(runnerTemps).Select(r => RealPath(Path.GetFullPath(r))).ToList();
        var allowed = $"the workspace ({roots[0]}){(roots.Count > 1 ? $" or the runner's temp directory ({string.Join(", ", roots.Skip(1))})" : "")}";
        const string fix = "save the plan next to the module (plan-file: tfplan) or under $RUNNER_TEMP (Azure: $(Agent.TempDirectory)), and download it to the same place in the apply job";
        if (value.StartsWith('~'))
            throw new ConfigException([$"input 'plan-file': '{value}' starts with ~, which terraform does not expand; {fix}"]);
        var lexical = Path.GetFullPath(Path.Combine(workingDirectory, value));
        if (!roots.Any(root => IsInside(root, lexical)))
            throw new ConfigException([$"input 'plan-file': '{value}' is {(Path.IsPathRooted(value) ? "" : "resolved to ")}{lexical}, outside {allowed}; {fix}"]);
        string real;
        try
        {
            real = RealPath(lexical);
        }
        catch (IOException e)
        {
            throw new ConfigException([$"input 'plan-file': '{value}' cannot be resolved ({e.Message}); {fix}"]);
        }
        if (!roots.Any(root => IsInside(root, real)))
            throw new ConfigException([$"input 'plan-file': '{value}' is a symlink that leads out of {allowed} (to {real}); remove the link, and {fix}"]);
        if (Directory.Exists(real))
            throw new ConfigException([$"input 'plan-file': '{value}' is a directory; name the plan's file, like tfplan"]);
        return real;
    }

    /// <summary>
    /// Reads the workspace copy of the config: null when it does not exist. A special file (a FIFO,
    /// a device) reports length 0 and is never opened, so it cannot block the run; a larger file
    /// than <see cref="MaxConfigBytes"/> is refused.
    /// </summary>
    public static string? ReadConfig(string path, string display)
    {
        if (Directory.Exists(path))
            throw new ConfigException([$"input 'config': '{display}' is a directory; point it at the YAML file, like .github/tfmfa.yml"]);
        var file = new FileInfo(path);
        if (!file.Exists) return null;
        try
        {
            if (file.Length == 0) return "";
            if (file.Length > MaxConfigBytes)
                throw new ConfigException([$"input 'config': '{display}' is {file.Length:N0} bytes; a config is at most {MaxConfigBytes:N0} bytes"]);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
            var buffer = new byte[MaxConfigBytes + 1];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read > MaxConfigBytes)
                throw new ConfigException([$"input 'config': '{display}' grew past {MaxConfigBytes:N0} bytes while it was read; a config is at most that"]);
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TfMfaException($"input 'config': cannot read '{display}' ({e.Message}); check the file's permissions", e);
        }
    }

    /// <summary>The path with every symlink along it followed (parts that do not exist yet are kept as written).</summary>
    private static string RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        var parts = new Queue<string>(fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (parts.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                if (++hops > 40) throw new IOException("too many levels of symbolic links");
                // Continue from the target, resolved against the link's directory, with the rest of the path after it.
                var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var rest = parts.ToArray();
                var resolvedRoot = Path.GetPathRoot(resolved)!;
                parts = new Queue<string>(resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = resolvedRoot;
                continue;
            }
            current = next;
        }
        return current;
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
