using System.Globalization;
using System.Runtime.InteropServices;
using CliWrap;

namespace TfMfa.Terraform;

/// <summary>The sandbox's dealings with the file system and the helper programs it starts (stat, test, unshare).</summary>
public sealed partial class TerraformSandbox
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LChown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, int owner, int group);

    /// <summary>A directory that belongs to terraform's uid, 0700.</summary>
    private string Private(string name)
    {
        var path = Directory.CreateDirectory(Path.Combine(_run!.FullName, name)).FullName;
        SetMode(path, (UnixFileMode)0b111_000_000);
        if (Chown(path, _uid, _gid) != 0)
            throw new TfMfaException($"could not give {path} to uid {_uid} (errno {Marshal.GetLastPInvokeError()})");
        return path;
    }

    /// <summary>The CLI config (provider installation, dev_overrides, credentials) as it was before terraform first ran, read-only.</summary>
    private void SnapshotCliConfig()
    {
        var configured = _environment.Get("TF_CLI_CONFIG_FILE") ?? _environment.Get("TERRAFORM_CONFIG");
        var home = _environment.Get("HOME");
        var source = configured is not null ? Path.GetFullPath(configured) : home is null ? null : Path.Combine(home, ".terraformrc");
        if (source is not null && File.Exists(source))
        {
            _cliConfig = Path.Combine(_run!.FullName, "terraformrc");
            File.Copy(source, _cliConfig);
            SetMode(_cliConfig, (UnixFileMode)0b100_100_100);
        }
        if (home is not null && File.Exists(Path.Combine(home, ".terraform.d", "credentials.tfrc.json")))
        {
            _credentials = Path.Combine(_run!.FullName, "credentials.tfrc.json");
            File.Copy(Path.Combine(home, ".terraform.d", "credentials.tfrc.json"), _credentials);
        }
    }

    /// <summary>test -f without following a final symlink (checked by the caller): no open(2), so a FIFO cannot block.</summary>
    private static bool IsRegularFile(string path)
    {
        if (OperatingSystem.IsWindows()) return File.Exists(path);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return Cli.Wrap("test").WithArguments(["-f", path]).WithValidation(CommandResultValidation.None)
            .ExecuteAsync(timeout.Token).GetAwaiter().GetResult().ExitCode == 0;
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    private static (int Uid, int Gid) OwnerOf(string path)
    {
        // stat(1): .NET has no API for a file's owner, and stat(2)'s struct differs by architecture.
        var result = Cli.Wrap("stat").WithArguments(["-c", "%u %g", path]).WithValidation(CommandResultValidation.None);
        var output = new System.Text.StringBuilder();
        var exitCode = result.WithStandardOutputPipe(PipeTarget.ToStringBuilder(output)).ExecuteAsync().GetAwaiter().GetResult().ExitCode;
        var parts = output.ToString().Trim().Split(' ');
        if (exitCode != 0 || parts.Length != 2)
            throw new TfMfaException($"could not read who owns the working directory {path}, so terraform cannot be given a user of its own");
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>A root module inside a directory closed to other users (mkdtemp's 0700) is out of terraform's reach: say so plainly.</summary>
    private void RequireReachable(string workingDirectory)
    {
        var (program, arguments) = Launch("test", ["-r", workingDirectory, "-a", "-x", workingDirectory]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var exitCode = Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .ExecuteAsync(timeout.Token).GetAwaiter().GetResult().ExitCode;
        if (exitCode != 0)
            throw new TfMfaException($"TfMfa runs as root, so terraform runs as uid {_uid}, which cannot enter the working directory {workingDirectory}: " +
                "a directory above it is closed to other users. Open it to them (chmod o+x on each parent), or run TfMfa as the workspace's owner.");
    }

    /// <summary>
    /// The tree as it is, never what a symlink in it leads to: .NET's recursive enumeration follows
    /// symlinked directories, and a commit holding <c>link -&gt; /etc</c> would hand /etc to terraform's uid.
    /// Symlinks are skipped (their own owner does not matter); nothing else runs before this, so nothing races it.
    /// </summary>
    private static void GiveTree(string directory, int uid, int gid)
    {
        _ = LChown(directory, uid, gid);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", options))
            _ = LChown(entry, uid, gid);
    }

    private static bool ProbeNamespaces()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return Cli.Wrap(NamespaceLauncher[0]).WithArguments([.. NamespaceLauncher[1..], "true"])
                .WithValidation(CommandResultValidation.None).ExecuteAsync(timeout.Token).GetAwaiter().GetResult().ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>One terraform run's own directories: its environment changes, and what to remove afterwards.</summary>
public sealed record RunDirectories(IReadOnlyDictionary<string, string?> EnvironmentChanges, IReadOnlyList<string> ToRemove) : IDisposable
{
    public void Dispose()
    {
        foreach (var directory in ToRemove)
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
