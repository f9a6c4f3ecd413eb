using System.Text.RegularExpressions;

namespace TfMfa.Inputs;

/// <summary>
/// The commit the working directory has checked out (its repository's <c>HEAD</c>), read from the
/// <c>.git</c> files themselves: running git in a repository the pull request controls would obey
/// its <c>.git/config</c>, and as root git refuses a checkout another user owns anyway.
/// </summary>
public static partial class CheckedOutCommit
{
    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex ObjectId();

    /// <summary>HEAD's commit of the repository holding <paramref name="workingDirectory"/> (looked for up to <paramref name="workspace"/>), or null when there is none or it cannot be read.</summary>
    public static string? Read(string workingDirectory, string workspace)
    {
        try
        {
            var root = Path.GetFullPath(workspace);
            for (var directory = new DirectoryInfo(Path.GetFullPath(workingDirectory)); directory is not null; directory = directory.Parent)
            {
                var dotGit = Path.Combine(directory.FullName, ".git");
                if (Directory.Exists(dotGit)) return Resolve(dotGit, dotGit);
                if (File.Exists(dotGit) && GitDirOf(dotGit) is { } linked) return Resolve(linked, CommonDir(linked));
                if (string.Equals(directory.FullName.TrimEnd(Path.DirectorySeparatorChar), root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)) break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>A worktree's or submodule's <c>.git</c> file: <c>gitdir: path</c>.</summary>
    private static string? GitDirOf(string dotGitFile)
    {
        var line = File.ReadLines(dotGitFile).FirstOrDefault() ?? "";
        if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
        var path = line["gitdir:".Length..].Trim();
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(dotGitFile)!, path));
    }

    /// <summary>A linked worktree keeps its refs in the main repository (<c>commondir</c>).</summary>
    private static string CommonDir(string gitDir)
    {
        var file = Path.Combine(gitDir, "commondir");
        return File.Exists(file) ? Path.GetFullPath(Path.Combine(gitDir, ReadSmall(file))) : gitDir;
    }

    /// <summary>A ref file holds one line: more than 4 KB, or not a plain file (a FIFO would hang, /dev/zero never end), is no ref.</summary>
    private static string ReadSmall(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Length > 4096 || (info.Attributes & (FileAttributes.Device | FileAttributes.Directory)) != 0)
            throw new IOException($"{path} is not a small regular file");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[4096];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
    }

    private static string? Resolve(string gitDir, string commonDir)
    {
        var head = ReadSmall(Path.Combine(gitDir, "HEAD"));
        for (var depth = 0; depth < 5; depth++)
        {
            if (ObjectId().IsMatch(head)) return head;
            if (!head.StartsWith("ref: ", StringComparison.Ordinal)) return null;
            var reference = head["ref: ".Length..].Trim();
            if (reference.Contains("..", StringComparison.Ordinal)) return null;
            var loose = Path.Combine(commonDir, reference);
            if (File.Exists(loose)) { head = ReadSmall(loose); continue; }
            var packed = Path.Combine(commonDir, "packed-refs");
            if (!File.Exists(packed)) return null;
            // "<sha> <ref>" lines; '#' headers and '^' peeled lines do not name refs.
            var match = File.ReadLines(packed).Select(l => l.Split(' ', 2)).FirstOrDefault(p => p.Length == 2 && p[1] == reference);
            return match is not null && ObjectId().IsMatch(match[0]) ? match[0] : null;
        }
        return null;
    }
}
