using System.Text;
using BenchmarkDotNet.Reports;

namespace TfMfa.Bench;

/// <summary>Collects the figures, checks them against the targets, and writes the table.</summary>
public sealed class Report(bool quick)
{
    private readonly StringBuilder _startup = new();
    private readonly StringBuilder _latency = new();
    private readonly StringBuilder _waiting = new();
    private readonly StringBuilder _streaming = new();
    private readonly StringBuilder _gated = new();
    private readonly StringBuilder _flood = new();
    private readonly StringBuilder _image = new();
    private readonly StringBuilder _vsix = new();
    private readonly StringBuilder _inProcess = new();
    private readonly List<(string Target, bool Met, string Figure)> _targets = [];
    private string _machine = "";

    public bool AllTargetsMet => _targets.All(t => t.Met);

    private void Target(string target, bool met, string figure) => _targets.Add((target, met, figure));

    public void Startup(Repository.Build build, Startup.Result? result)
    {
        if (_startup.Length == 0)
            _startup.AppendLine("| build | first log line (median / p95) | first terraform byte, no MFA (median / p95) | note |").AppendLine("|---|---|---|---|");
        _startup.AppendLine(result is null
            ? $"| {build.Name} | - | - | not measured: {build.Note} |"
            : $"| {build.Name} | {result.FirstLine.Ms} | {result.FirstTerraformByte.Ms} | {build.Note} |");
        if (build.Name == "ready-to-run" && result is not null)
            Target("Start-up to first log line ≤ 150 ms (ReadyToRun, the image's build)", result.FirstLine.Median <= 150, $"{result.FirstLine.Median:0} ms");
    }

    public void CodeToSts(TimeSpan poll, TimeSpan rtt, Stats stats)
    {
        if (_latency.Length == 0)
            _latency.AppendLine("| poller | poll interval | round trip | runs | median | p95 | target median / p95 |").AppendLine("|---|---|---|---|---|---|---|");
        var medianTarget = poll.TotalMilliseconds / 2 + 2 * rtt.TotalMilliseconds + 50;
        var p95Target = poll.TotalMilliseconds + 2 * rtt.TotalMilliseconds + 100;
        _latency.AppendLine($"| TfMfa | {poll.TotalSeconds:0} s | {rtt.TotalMilliseconds:0} ms | {stats.Count} | {stats.Median:0} ms | {stats.P95:0} ms | {medianTarget:0} / {p95Target:0} ms |");
        Target($"Code-to-STS at {poll.TotalSeconds:0} s polls, {rtt.TotalMilliseconds:0} ms round trip: median ≤ {medianTarget:0} ms, p95 ≤ {p95Target:0} ms",
            stats.Median <= medianTarget && stats.P95 <= p95Target, $"{stats.Median:0} / {stats.P95:0} ms");
    }

    public void ReferenceCodeToSts(TimeSpan rtt, Stats stats) =>
        _latency.AppendLine($"| reference: unconditional poll | 10 s | {rtt.TotalMilliseconds:0} ms | {stats.Count} | {stats.Median:0} ms | {stats.P95:0} ms | - |");

    public void WaitingCost(WaitingCost.Cost real, WaitingCost.Cost tenMinutes, WaitingCost.Cost reference)
    {
        _waiting.AppendLine("| what | wait | counted requests | all requests | counted per minute |").AppendLine("|---|---|---|---|---|");
        _waiting.AppendLine($"| TfMfa, real program, from posting the request to the timeout | {real.Minutes * 60:0} s | {real.Counted} | {real.Total} | {real.PerMinute:0.0} |");
        _waiting.AppendLine($"| TfMfa wait loop, fake clock, times out | 10 min | {tenMinutes.Counted} | {tenMinutes.Total} | {tenMinutes.PerMinute:0.0} |");
        _waiting.AppendLine($"| reference: unconditional poll every 10 s | 10 min | {reference.Counted} | {reference.Total} | {reference.PerMinute:0.0} |");
        Target("≤ 25 counted requests for a 10-minute wait that times out", tenMinutes.Counted <= 25, $"{tenMinutes.Counted}");
        _waiting.AppendLine().AppendLine($"Around the wait, the real program also spent {real.StartupCounted} counted requests before it (default branch, config, approvals) and {real.FinishCounted} after it (marking the request timed out).");
        Target("≤ 2 counted requests per minute while waiting", tenMinutes.PerMinute <= 2 && real.Counted <= 2 * Math.Ceiling(real.Minutes),
            $"{real.Counted} in the first {real.Minutes * 60:0} s (the request comment and the first, unconditional list), then {(tenMinutes.Counted - 2) / 9.0:0.0}/min (every later poll a 304)");
    }

    public void Streaming(Streaming.Result small, Streaming.Result large)
    {
        _streaming.AppendLine("| terraform output | throughput through TfMfa | generator alone (ceiling) | generator through cat | peak memory (VmHWM) |").AppendLine("|---|---|---|---|---|");
        foreach (var r in new[] { small, large })
            _streaming.AppendLine($"| {r.Megabytes} MB | {r.MegabytesPerSecond:0} MB/s | {r.GeneratorMegabytesPerSecond:0} MB/s | {r.ThroughCatMegabytesPerSecond:0} MB/s | {r.PeakMegabytes} MB |");
        foreach (var r in new[] { small, large })
            Target($"Streaming ≥ 200 MB/s at {r.Megabytes} MB", r.MegabytesPerSecond >= 200,
                $"{r.MegabytesPerSecond:0} MB/s (generator alone {r.GeneratorMegabytesPerSecond:0} MB/s)");
        Target("Peak memory of a streaming run ≤ 60 MB, flat in output size", small.PeakMegabytes <= 60 && large.PeakMegabytes <= 60 && Math.Abs(large.PeakMegabytes - small.PeakMegabytes) <= 5,
            $"{small.PeakMegabytes} MB at {small.Megabytes} MB, {large.PeakMegabytes} MB at {large.Megabytes} MB");
    }

    public void Flood(IReadOnlyList<Flood.Result> results)
    {
        _flood.AppendLine("| comments | from | round trip | counted requests | permission reads | comments removed | left visible | allowed code to STS |").AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            _flood.AppendLine($"| {r.Comments:N0} | {r.Strangers} people with read | {r.RoundTrip.TotalMilliseconds:0} ms | {r.Counted} | {r.PermissionReads} | {r.Removals} | {r.Visible} | {r.DelayMs:0} ms |");
            Target($"A flood of {r.Comments:N0} /mfa comments from {r.Strangers} people ({r.RoundTrip.TotalMilliseconds:0} ms round trip): ≤ 100 counted requests, the allowed code at STS within 3 polls",
                r.Counted <= 100 && r.DelayMs <= 6000, $"{r.Counted} requests, {r.DelayMs:0} ms");
        }
    }

    /// <summary>The start-up table as it stands (printed by --image).</summary>
    public string StartupTable => _startup.ToString();

    /// <summary>The targets so far, as rows of the targets table (printed by --image and --vsix).</summary>
    public string TargetRows => string.Join("\n", _targets.Select(t => $"| {t.Target} | {(t.Met ? "yes" : "**no**")} | {t.Figure} |"));

    /// <summary>What tests/container/measure-image printed for the image before issue 21 and today's, or why it could not run.</summary>
    public void Image(ImageFigures.Result figures)
    {
        _image.AppendLine(figures.Text.Trim());
        if (figures is not { Reference: { } before, Today: { } today }) return;
        // The final stage is FROM scratch: every byte is a layer built here from Debian 12's packages, terraform and tfmfa,
        // so production's size is this one (section 7 says how the package versions may differ).
        Target("Image ≤ 200 MB with the production base", today.Bytes <= 200_000_000, $"{today.Bytes / 1_000_000} MB (before: {before.Bytes / 1_000_000} MB)");
        Target("Image: docker run to the first log line no slower than before (302 ms; and the old image in the same run)", today.FirstLineMs <= before.FirstLineMs,
            $"{today.FirstLineMs:0} ms, the old image {before.FirstLineMs:0} ms in the same run");
    }

    /// <summary>What each platform's binary and each trimming choice costs the .vsix.</summary>
    public void Vsix(VsixFigures.Result figures)
    {
        _vsix.AppendLine(figures.Text.Trim());
        Target(".vsix ≤ 30 MB", figures.ShippedBytes <= 30_000_000, $"{figures.ShippedBytes / 1_000_000.0:0.0} MB of binaries (four platforms, brotli-packed)");
    }

    public void GatedRun(GatedRunMemory.Result result)
    {
        Target("Peak memory of a whole gated run ≤ 60 MB", result.PeakMegabytes <= 60, $"{result.PeakMegabytes} MB");
        _gated.AppendLine($"Peak resident memory of a whole gated run (request comment, code, STS, terraform init and plan{(result.RealTerraform ? " with the real terraform" : " with a stand-in terraform")}): **{result.PeakMegabytes} MB** ({result.Seconds:0.0} s). terraform's own memory is a separate process and not counted.");
    }

    public void InProcess(Summary summary)
    {
        _inProcess.AppendLine("| operation | mean | allocated |").AppendLine("|---|---|---|");
        foreach (var report in summary.Reports)
        {
            var mean = report.ResultStatistics?.Mean ?? double.NaN;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            _inProcess.AppendLine($"| {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} | {Format(mean)} | {allocated} B |");
        }
    }

    private static string Format(double nanoseconds) =>
        nanoseconds >= 1_000_000 ? $"{nanoseconds / 1_000_000:0.00} ms" : nanoseconds >= 1_000 ? $"{nanoseconds / 1_000:0.0} µs" : $"{nanoseconds:0} ns";

    public void Machine(string cpu, int cores, string memoryKb, string os, string dotnet, string terraform) =>
        _machine = $"{cpu}, {cores} cores, {long.Parse(memoryKb) / 1024 / 1024} GiB; {os}; {dotnet}; {terraform}";

    /// <summary>Issue 21's before and after, measured with <c>--streaming</c> on 2026-12-04; kept as written.</summary>
    private const string StreamingHistory = """
    The same command on the code before issue 21 (commit 424abcd, published into `bench/artifacts/ready-to-run`
    and run with `--streaming 2 --no-publish`), minutes apart on the same machine:

    | round | terraform output | throughput through TfMfa | generator alone (ceiling) | generator through cat | peak memory (VmHWM) |
    |---|---|---|---|---|---|
    | 1 | 100 MB | 53 MB/s | 170 MB/s | 105 MB/s | 82 MB |
    | 1 | 300 MB | 109 MB/s | 154 MB/s | 157 MB/s | 82 MB |
    | 2 | 100 MB | 65 MB/s | 270 MB/s | 99 MB/s | 82 MB |
    | 2 | 300 MB | 121 MB/s | 182 MB/s | 189 MB/s | 82 MB |

    What each change bought:
    - Bytes instead of a string per line (commit 1bd49a9): CliWrap hands over the raw pipe; pooled 64 KiB
      buffers; redaction in UTF-8, one vectorised `IndexOf` per secret and a copy when no secret occurs (0 B
      allocated, tested); Azure's `##vso[` neutralised in bytes; one write per 64 KiB batch. In a quieter
      moment it passed 175–181 MB/s with the generator alone at 324–378 MB/s (about half); peak memory
      82 → 64–72 MB, and flat in output size.
    - Reading on a thread of its own (commit 942ea11): a pipe's `ReadAsync` on Unix is a blocking read handed
      to the thread pool, and the generator writes 4 KiB at a time, so that hand-over ran once per 4 KiB.
      From about half to 0.6–0.8 of the generator alone, and at or above `cat` in every round.
    - Together, in the tables above: at 100 MB 53–65 → 155–172 MB/s, at 300 MB 109–121 → 163–169 MB/s.
    - Not met: 200 MB/s. Under load (the tables above) TfMfa kept level with `cat`; in a quieter moment
      (10:13 UTC, the same build, `--streaming 1` twice) it passed 193 / 168 MB/s at 100 MB and 202 / 182 MB/s
      at 300 MB, with the generator alone at 346 / 336 and 379 / 318 MB/s and through `cat` at 246 / 289 and
      306 / 276 MB/s. So one pipe hop costs `cat` about a quarter of the generator's speed here, and TfMfa,
      which adds a second hop (its stdout, read by the bench), runs 20–40 % below `cat`.
    """;

    /// <summary>Where a run's memory goes and the runtime settings tried (issue 21, 2026-12-04); kept as written.</summary>
    private const string MemoryFindings = """
    Where it goes (`TFMFA_BENCH_SMAPS=file` keeps `/proc/<pid>/smaps` at the peak in `file.<pid>`; a gated run, 81 MB): the
    managed heap and every other anonymous mapping are about 9 MB; the executable-memory double mapping
    (W^X) 10.5 MB; the rest is code mapped from files: System.Private.CoreLib 12 MB, libcoreclr 5.4 MB,
    libclrjit 4.4 MB, libcrypto 3.4 MB (the AWS SDK's signing), Octokit 2.7 MB, System.Linq.Expressions 2.3 MB,
    System.Private.Xml 2.2 MB (STS answers in XML), AWSSDK.Core 2.1 MB, tfmfa 1.9 MB and some 20 smaller assemblies.
    So the 60 MB goals are not met, and GC settings cannot meet them. Each was tried on the same build with
    `TFMFA_BENCH_DOTNET_<setting>=<value> ... --streaming 1 --no-publish` (streaming 100 MB / 300 MB / gated run;
    ±2 MB is noise):

    | setting | streaming peak | gated peak | kept |
    |---|---|---|---|
    | none | 66 / 67 MB | 84 MB | |
    | `TieredPGO=0` | 65 / 66 MB | 83 MB | no |
    | `GCgen0size=0x400000` (4 MB gen0 budget) | 68 / 67 MB | 79 MB | no |
    | `gcConcurrent=0` (no background GC thread) | 67 / 67 MB | 84 MB | no |
    | `TieredCompilation=0` | 68 / 68 MB | 87 MB | no |
    | `EnableWriteXorExecute=0` | 65 / 67 MB | 83 MB | no: the double mapping goes, the same amount comes back as private pages |
    | all of `GCgen0size`, `TieredPGO=0`, `gcConcurrent=0` | 67 / 67 MB | 81 MB | no |
    | `TC_CallCounting=0` (no tier-1 rejit), twice | 62 / 62, 62 / 64 MB | 82, 83 MB | no: 0–3 MB, beside 64 / 64 MB and 82 MB without it in the same minutes |

    The streaming run's memory came down by the byte path alone (82 → 65–67 MB); it no longer grows with the
    output. What is left to try for 60 MB is loading less code rather than tuning the GC: a trimmed
    self-contained build (as the Azure task's), and keeping `System.Linq.Expressions` and OpenSSL out of the run.
    """;

    /// <summary>How the image is built and measured, and the bases weighed for it (issue 21); kept as written.</summary>
    private const string ImageText = """
        `dotnet run -c Release --project bench/TfMfa.Bench -- --image` builds two images with
        `tests/container/build-image` from the same local stand-ins (Debian 12 from debootstrap for
        `debian:12.15-slim`, with this machine's SDK for `mcr.microsoft.com/dotnet/sdk:10.0.401-noble`): the
        Dockerfile of commit 13051a0, before issue 21 (`build-image --ref 13051a0`: the ReadyToRun `tfmfa.dll`
        on the .NET runtime image, whose stand-in is Debian 12 with this machine's runtime), and today's. Then
        `tests/container/measure-image --build-time OLD NEW` times `docker run` to the first log line, the two
        images taking turns in each of 9 rounds, and builds today's Dockerfile once more without cache (what
        `image: Dockerfile` costs a job, the base images already pulled).

        Today's image is `FROM scratch`: a file system assembled from Debian 12's packages
        (`image/assemble-rootfs`: BusyBox as `/bin/sh` and the usual commands, bash, git without its Perl, Tcl,
        server and mail programs, openssh-client, util-linux's `setpriv` and `unshare`, the CA bundle, OpenSSL
        and every library `ldd` names, one copy of each duplicate file), terraform, and tfmfa built as the Azure
        task's binary (self-contained, trimmed; section 8) plus ReadyToRun and an uncompressed bundle, which
        starts as fast as the old `dotnet tfmfa.dll` (section 3: `image-binary`, `task-binary`). No layer comes
        from a base image, so **the production size is the size here**: the same Debian 12 packages, give or
        take a security update's bytes (the stand-in installs from bookworm's main archive, the real
        `debian:12.15-slim` also from bookworm-security), the same terraform and the same tfmfa.

        The bases weighed (the issue's two, and this one):

        | final stage | what it would weigh | verdict |
        |---|---|---|
        | .NET runtime-deps, Ubuntu 24.04 (`runtime-deps:10.0-noble`) + apt `git openssh-client` | the base about 120 MB (runtime-deps 8.0 on Debian 12 slim was published at 123 MB, on Ubuntu chiseled 13 MB, on Alpine 12.2 MB: github.com/dpbevin/dotnet-staticfiles, README), + 108 MB for git and ssh (apt on Debian 12, measured here: git pulls Perl, 47 MB), + terraform 90.6 MB + tfmfa 46 MB: about 365 MB | over 200 MB |
        | .NET runtime-deps, Alpine (`linux-musl-x64`) + apk `git openssh-client` | the base 12–18 MB (github.com/dotnet/dotnet-docker/discussions/4784: `runtime-deps:8.0-alpine` 17.9 MB, `alpine` 7.3 MB), + apk's git and ssh (no Perl) + 90.6 + 46 MB: well under 200 MB | not chosen: it can be neither built nor tested here. No Alpine package repository is reachable, and the musl tfmfa (published here: it needs musl builds of `libstdc++.so.6` and `libgcc_s.so.1`, and OpenSSL) cannot run on anything Debian ships, so CI would test a different binary, libc and shell than users run |
        | `scratch` + Debian 12's files (chosen) | the table below | built here from the same packages production uses, and every container test runs through it |
        """;

    /// <summary>How the .vsix figures are made (issue 21); kept as written.</summary>
    private const string VsixText = """
        `TFMFA_VSIX=azure-pipelines/dist/tfmfa.tfmfa-1.0.0.vsix dotnet run -c Release --project bench/TfMfa.Bench -- --vsix`
        publishes each platform's tfmfa from today's sources and from commit 13051a0's (before issue 21), deflates
        each as a zip (the .vsix) stores it, and packs today's as `azure-pipelines/build-vsix` does (brotli, below).
        The .vsix holds nothing but the four packed binaries and their checksums, `task.json`, `index.js`,
        `overview.md` and the manifest: no raw binary, no symbols (tested by `VsixTests`).

        Full trimming is safe here, and tested: with only Octokit rooted (it binds GitHub's JSON to its models
        by reflection), the AWS SDK (v4, annotated for trimming), YamlDotNet (read through its representation
        model), BouncyCastle, CliWrap and TfMfa trim without a single trim warning; the warnings left come
        from Octokit and CoreLib, both kept whole. The container tests (GitHub through Octokit, STS through
        the AWS SDK, a release's OpenPGP signature through BouncyCastle) and the Azure tests (the .vsix's own
        linux-x64 binary) pass on these builds.

        Each binary ships brotli-packed: build-vsix publishes it with its bundle uncompressed
        (`-p:EnableCompressionInSingleFile=false`) and `azure-pipelines/pack-binary.js` packs it with Node's zlib
        (quality 11, window 2^24) as `tfmfa.br` beside `tfmfa.sha256`, the SHA-256 of the binary itself. The task's
        shim unpacks it at every run into a 0700 directory of its own under `Agent.TempDirectory`, checks the hash,
        starts it and removes the directory when it exits; nothing is cached between runs, since on a self-hosted
        agent a binary kept outside the job's temp directory could be replaced by a later job's plan-time code
        (`TaskShimTests`: damaged packages refused before anything runs, the directory's mode and removal, two runs
        at once; `VsixTests`: each packed binary unpacks to its platform's executable under its checksum).
        """;

    public string ToMarkdown() => $"""
        # Performance

        Written by `dotnet run -c Release --project bench/TfMfa.Bench` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC{(quick ? " (--quick)" : "")}.
        Machine: {_machine}.
        The real program runs against the local GitHub and AWS stand-ins; medians and 95th percentiles.

        ## Targets

        | target | met | figure |
        |---|---|---|
        {string.Join("\n", _targets.Select(t => $"| {t.Target} | {(t.Met ? "yes" : "**no**")} | {t.Figure} |"))}

        ## 1. Code to STS

        From the moment the GitHub stand-in creates the `/mfa` comment (at points spread evenly over the poll cycle)
        to the moment the STS call carrying its code arrives. The round trip is simulated on every GitHub
        request, half on the way in and half on the way out, as from a runner to api.github.com.

        {_latency}
        TfMfa polls at a fixed rate with `If-None-Match`; when a code comment appears it deletes it (the
        claim) and checks its writer's permission in parallel, then calls STS: one poll plus one round trip.

        ## 2. Cost of waiting

        Counted requests are those GitHub charges to the 1,000-per-hour budget; a 304 answer to a
        conditional request is free. The 10-minute figures run the program's own wait loop and Octokit
        against the stand-in on a fake clock (a real 10-minute wait adds nothing but time).

        {_waiting}
        ## 3. Start-up

        Process start to the first log line, and to the first byte terraform writes when no MFA is needed
        (the config read from the default branch included), `dotnet tfmfa.dll` or the native binary.
        `task-binary` is the Azure task's self-contained single file (trimmed, compressed); `image-binary` is
        the image's (the same, plus ReadyToRun, uncompressed).
        Native AOT is blocked by the libraries: it builds only when Octokit's and the AWS SDK's trim/AOT
        warnings (IL2104, IL3053) are let through, and the binary then fails at the first GitHub call
        (Octokit binds JSON by reflection on members the trimmer removed). ReadyToRun is the build the image uses.

        {_startup}
        ## 4. Streaming

        A stand-in terraform writes the output as 120-character lines between two markers; throughput is
        the bytes between the markers over the time between the reads that held them. TfMfa copies the
        pipe as bytes (ToolOutputCopier: pooled buffers, complete lines, redaction that allocates nothing)
        and writes it on in 64 KiB batches, at most 50 ms apart. The generator alone writes to /dev/null.

        {_streaming}
        {StreamingHistory}
        ## 5. A whole gated run

        {_gated}
        {MemoryFindings}
        ## 6. A flood of `/mfa` comments

        Right after the request, 1,000 `/mfa` code comments arrive from people who may not supply codes,
        then one from an allowed person. Each writer's permission is read once (all new writers of a poll
        at once); each writer gets at most 3 comments removed, and a run at most 60 for such people, so the
        flood costs a bounded share of the token's 1,000 requests an hour; the rest are left alone, neither
        read again nor removed. Counted requests are from the flood's arrival to 5 s after the STS call.

        {_flood}
        ## 7. The image

        {ImageText}

        {_image}

        ## 8. The Azure extension (.vsix)

        {VsixText}

        {_vsix}

        ## In-process

        BenchmarkDotNet, in-process toolchain, short run.

        {_inProcess}
        """;
}
