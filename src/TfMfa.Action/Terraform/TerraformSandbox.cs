using System.Globalization;
using System.Runtime.InteropServices;
using CliWrap;
using TfMfa.Hosting;

namespace TfMfa.Terraform;

/// <summary>How terraform is kept from TfMfa, from its ancestors and from its own earlier runs.</summary>
public enum IsolationKind
{
    /// <summary>terraform runs as TfMfa's own user and sees every process of that user.</summary>
    None,

    /// <summary>TfMfa is root (the container action, a root agent): terraform runs as an unprivileged uid of its own.</summary>
    OtherUser,

    /// <summary>TfMfa is not root: terraform runs in new user and PID namespaces with its own <c>/proc</c>, so it sees no ancestor.</summary>
    Namespaces,
}

/// <summary>
/// The walls around every terraform run. Code from the commit runs inside terraform before anyone
/// gives a code (the S3 backend's <c>credential_process</c>, <c>data "external"</c>, providers), so:
/// <list type="bullet">
/// <item>nothing it starts outlives its run (<see cref="ProcessTree"/>, applied by the process boundary);</item>
/// <item>as root, terraform runs as another, unprivileged uid (<c>setpriv</c>, no new privileges, no
/// capabilities), with a HOME and temp directory of its own for each run, its own <c>TF_DATA_DIR</c>, and
/// the CLI config as it was before terraform first ran; saved plans are sealed where that uid can read but
/// not write, and TfMfa's files and the fetched tools are root's;</item>
/// <item>not root, terraform runs in its own user and PID namespaces with a fresh <c>/proc</c>, so the
/// processes that started TfMfa (the Azure task's Node shim holds the job token and the AWS keys in its
/// environment) are out of its sight.</item>
/// </list>
/// Where neither is possible the log says so once (<see cref="Limits"/>).
/// </summary>
public sealed partial class TerraformSandbox : IDisposable
{
    /// <summary>
    /// Where terraform's uid is drawn from when TfMfa is root and the working directory is root's too:
    /// one of its own for each run, so two runs on one host never share a uid (a process of one could
    /// read the other's session); inside 65,536 so it exists wherever a container maps a subuid range.
    /// </summary>
    public const int FirstFallbackUid = 20000, LastFallbackUid = 59999;

    private static readonly string[] NamespaceLauncher = ["unshare", "--user", "--map-current-user", "--pid", "--fork", "--mount-proc", "--kill-child", "--"];

    private readonly IEnvironment _environment;
    private readonly bool _isRoot;
    private readonly Func<bool> _namespacesWork;
    private readonly List<string> _limits = [];
    private DirectoryInfo? _run;
    private string? _cliConfig;
    private string? _credentials;
    private int _uid;
    private int _gid;
    private int _invocations;
    private int _plans;

    /// <param name="killsLeftovers">Kill every descendant after each terraform run. Only the program itself may: in a test host other tests' processes are descendants too.</param>
    public TerraformSandbox(IEnvironment environment, bool killsLeftovers, bool? isRoot = null, Func<bool>? namespacesWork = null)
    {
        _environment = environment;
        KillsLeftovers = killsLeftovers;
        _isRoot = isRoot ?? (OperatingSystem.IsLinux() && GetEuid() == 0);
        _namespacesWork = namespacesWork ?? ProbeNamespaces;
    }

    /// <summary>A sandbox that changes nothing: terraform as this user, nothing killed (tests of the process boundary).</summary>
    public static TerraformSandbox Unwalled(IEnvironment environment) => new(environment, killsLeftovers: false, isRoot: false, namespacesWork: () => false);

    public bool KillsLeftovers { get; }

    public IsolationKind Kind { get; private set; } = IsolationKind.None;

    /// <summary>Walls the platform makes impossible, for the log (once).</summary>
    public IReadOnlyList<string> Limits => _limits;

    /// <summary>What the log says about the walls.</summary>
    public string Description => Kind switch
    {
        IsolationKind.OtherUser => $"terraform runs as uid {_uid}, not as TfMfa's root, with its own HOME, temp and data directories for this run",
        IsolationKind.Namespaces => "terraform runs in its own user and PID namespaces: it sees no process that started it",
        _ => "terraform runs as TfMfa's own user",
    };

    /// <summary>
    /// Chooses the walls for runs in <paramref name="workingDirectory"/>, before terraform first
    /// runs: a CLI config written by one run must not reach the next.
    /// </summary>
    public void Prepare(string workingDirectory)
    {
        if (_run is not null) return;
        // mkdtemp: 0700, this user's. Opened to traversal (not listing) only where another uid must reach its subdirectories.
        _run = Directory.CreateTempSubdirectory("tfmfa-run-");
        if (_isRoot)
        {
            Kind = IsolationKind.OtherUser;
            (_uid, _gid) = OwnerOf(workingDirectory);
            if (_uid == 0)
            {
                // A root agent or root checkout: later steps run as root too, so lending the root module to an
                // unprivileged uid takes nothing from them; terraform needs to write its lock file and local files there.
                _uid = _gid = System.Security.Cryptography.RandomNumberGenerator.GetInt32(FirstFallbackUid, LastFallbackUid + 1);
                GiveTree(workingDirectory, _uid, _gid);
            }
            RequireReachable(workingDirectory);
            SetMode(_run.FullName, (UnixFileMode)0b111_001_001);
            Private("data");
            Private("out");
            Directory.CreateDirectory(Path.Combine(_run.FullName, "plans"));
            SetMode(Path.Combine(_run.FullName, "plans"), (UnixFileMode)0b111_001_001);
            SnapshotCliConfig();
        }
        else if (OperatingSystem.IsLinux() && _namespacesWork())
        {
            Kind = IsolationKind.Namespaces;
        }
        else if (OperatingSystem.IsLinux())
        {
            _limits.Add($"terraform runs as TfMfa's own user (uid {GetEuid()}), and neither another uid (TfMfa is not root) nor user namespaces " +
                "(unshare --user --pid failed) are available: code in the commit could read the environment of the processes that started TfMfa " +
                "(on Azure Pipelines the task's Node shim holds the job token and the AWS keys) and, with passwordless sudo, anything. " +
                "Allow unprivileged user namespaces on the agent, or run it as a user without sudo; see docs/security.md.");
        }
    }

    /// <summary>The command line that starts <paramref name="binary"/> inside the walls.</summary>
    public (string Program, IReadOnlyList<string> Arguments) Launch(string binary, IReadOnlyList<string> arguments) => Kind switch
    {
        IsolationKind.OtherUser => ("setpriv", [$"--reuid={_uid}", $"--regid={_gid}", "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--", binary, .. arguments]),
        IsolationKind.Namespaces => (NamespaceLauncher[0], [.. NamespaceLauncher[1..], binary, .. arguments]),
        _ => (binary, arguments),
    };

    /// <summary>terraform's own directories for one run, removed when it ends (so nothing one run writes there reaches the next).</summary>
    public RunDirectories ForOneRun()
    {
        if (Kind != IsolationKind.OtherUser || _run is null) return new RunDirectories(new Dictionary<string, string?>(), []);
        var n = Interlocked.Increment(ref _invocations).ToString(CultureInfo.InvariantCulture);
        var home = Private($"home-{n}");
        var temp = Private($"tmp-{n}");
        if (_credentials is not null)
        {
            // terraform login's tokens (private registries), as they were before terraform first ran.
            var dotTerraform = Directory.CreateDirectory(Path.Combine(home, ".terraform.d")).FullName;
            File.Copy(_credentials, Path.Combine(dotTerraform, "credentials.tfrc.json"));
            SetMode(Path.Combine(dotTerraform, "credentials.tfrc.json"), (UnixFileMode)0b100_100_100);
        }
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["HOME"] = home,
            ["TMPDIR"] = temp,
            ["TF_CLI_CONFIG_FILE"] = _cliConfig,
            ["TERRAFORM_CONFIG"] = null,
        };
        // The user's own TF_DATA_DIR stays theirs; else one for this TfMfa run, out of the workspace.
        if (_environment.Get("TF_DATA_DIR") is null) changes["TF_DATA_DIR"] = Path.Combine(_run.FullName, "data");
        return new RunDirectories(changes, [home, temp]);
    }

    /// <summary>A fresh path a plan may write its saved plan to.</summary>
    public string NewPlanPath()
    {
        var name = $"plan-{Interlocked.Increment(ref _plans).ToString(CultureInfo.InvariantCulture)}.tfplan";
        if (Kind == IsolationKind.OtherUser) return Path.Combine(_run!.FullName, "out", name);
        _run ??= Directory.CreateTempSubdirectory("tfmfa-run-");
        return Path.Combine(_run.FullName, name);
    }

    /// <summary>
    /// A copy of <paramref name="planFile"/> that terraform can read and nothing it starts can change
    /// (root's, read-only, in a directory it cannot write); as another user, a copy in TfMfa's private directory.
    /// </summary>
    public string Seal(string planFile)
    {
        // Only a regular file: a symlink (root would copy whatever it leads to, /proc/self/environ say) or a FIFO (a hang) is refused.
        var info = new FileInfo(planFile);
        if (info.LinkTarget is not null || !info.Exists || !IsRegularFile(planFile))
            throw new TfMfaException($"the saved plan {planFile} is not a regular file (a symlink, a pipe or a device), so it is not shown or applied: run the job again, and check what the commit's terraform code writes");
        _run ??= Directory.CreateTempSubdirectory("tfmfa-run-");
        var sealedPath = Path.Combine(_run.FullName, Kind == IsolationKind.OtherUser ? "plans" : "", $"sealed-{Interlocked.Increment(ref _plans).ToString(CultureInfo.InvariantCulture)}.tfplan");
        File.Copy(planFile, sealedPath);
        if (!OperatingSystem.IsWindows())
            SetMode(sealedPath, Kind == IsolationKind.OtherUser ? (UnixFileMode)0b100_100_100 : UnixFileMode.UserRead);
        return sealedPath;
    }

    public void Dispose()
    {
        if (_run is null) return;
        try { _run.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _run = null;
    }
}
