using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CliWrap;
using CliWrap.Buffered;
using TfMfa.Bench;

// dotnet run -c Release --project bench/TfMfa.Bench [-- --quick | --streaming [rounds] [--no-publish] [--image-binary-only] [--before tfmfa] | --flood | --image [--no-build-time] | --vsix
//     | --comment-trigger | --azure-waiting]
// Drives the real program against the stand-ins, prints a table and writes docs/performance.md.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
var runs = quick ? 6 : 20;
var report = new Report(quick);
if (args.Contains("--flood"))
{
    // Just figure 6, printed.
    var build = await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]);
    foreach (var rtt in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(150) })
        Console.WriteLine(await Flood.MeasureAsync(build, 1000, 10, rtt));
    return 0;
}
if (args.Contains("--streaming"))
{
    // Just figures 4 and 5, printed: each round measures TfMfa and the generator alone side by side (issue 21),
    // the image's build (self-contained, trimmed, ReadyToRun, with the image's runtime settings) and, for
    // reference, the build the image shipped before (`dotnet tfmfa.dll`, ReadyToRun).
    var rounds = int.Parse(args.SkipWhile(a => a != "--streaming").Skip(1).FirstOrDefault(a => !a.StartsWith('-')) ?? "2");
    // --no-publish: the last builds again, to try runtime settings (TFMFA_BENCH_DOTNET_*) without a rebuild.
    Repository.Build[] builds = args.Contains("--no-publish")
        ? [new("image-binary", Path.Combine(Repository.Artifacts, "image-binary", "tfmfa"), "", Repository.ImageRuntimeSettings()),
            new("ready-to-run", Path.Combine(Repository.Artifacts, "ready-to-run", "tfmfa.dll"), "")]
        : [await ImageBinaryAsync(), await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"])];
    if (args.Contains("--image-binary-only")) builds = builds[..1];
    // --before PATH: also an image binary built from an earlier commit, to show what a change bought.
    if (args.SkipWhile(a => a != "--before").Skip(1).FirstOrDefault() is { } before)
        builds = [.. builds, new("before", Path.GetFullPath(before), "", Repository.ImageRuntimeSettings())];
    // Once through, not shown: the first run after a build pays for the page cache and the bench's own JIT.
    await Streaming.MeasureAsync(builds[0], 10);
    Console.WriteLine(Streaming.TableHeader);
    for (var round = 1; round <= rounds; round++)
        foreach (var build in builds)
            foreach (var megabytes in new long[] { 100, 300 })
                Console.WriteLine(Streaming.Row(build, round, await Streaming.MeasureAsync(build, megabytes)));
    for (var round = 1; round <= rounds; round++)
        foreach (var build in builds)
            Console.WriteLine($"whole gated run, {build.Name}, round {round}: {(await GatedRunMemory.MeasureAsync(build)).PeakMegabytes} MB peak");
    return 0;
}
if (args.Contains("--azure-waiting"))
{
    // Just the Azure DevOps waiting figures, printed (issue 21): the schedule before and now, beside GitHub's.
    var github = await WaitingCost.TenMinutesAsync();
    Console.WriteLine(AzureWaitingCost.Table([await AzureWaitingCost.TenMinutesAsync(adaptive: false), await AzureWaitingCost.TenMinutesAsync(adaptive: true)],
        new AzureWaitingCost.GitHubFigure(github.Total, github.Counted, github.PerMinute)));
    return 0;
}
if (args.Contains("--comment-trigger"))
{
    // Just figure 9, printed: runner time held per code, poll against comment-trigger (issue 20).
    var build = await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]);
    Console.WriteLine(CommentTriggerCost.Table(await CommentTriggerCost.MeasureAsync(build, quick ? 4 : 10), TimeSpan.FromMinutes(10)));
    return 0;
}
if (args.Contains("--image"))
{
    // Just figure 7 and the start-up of the single-file builds it is made of, printed (issue 21).
    var readyToRunBuild = await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]);
    foreach (var build in new[] { readyToRunBuild, await TaskBinaryAsync(), await ImageBinaryAsync() })
        report.Startup(build, await Startup.MeasureAsync(build, runs));
    var image = await ImageFigures.MeasureAsync(buildTime: !args.Contains("--no-build-time"));
    report.Image(image);
    Console.WriteLine(report.StartupTable);
    Console.WriteLine(image.Text);
    Console.WriteLine(report.TargetRows);
    return 0;
}
if (args.Contains("--vsix"))
{
    // Just figure 8, printed (issue 21).
    var vsix = await VsixFigures.MeasureAsync();
    report.Vsix(vsix);
    Console.WriteLine(vsix.Text);
    Console.WriteLine(report.TargetRows);
    return 0;
}
if (args.SkipWhile(a => a != "--probe").Skip(1).FirstOrDefault() is { } probe)
{
    // Diagnostics: one code-to-STS configuration, each run printed (TFMFA_BENCH_VERBOSE=1), nothing written.
    var parts = probe.Split('/');
    var build = await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]);
    Console.WriteLine((await CodeToSts.MeasureAsync(build, TimeSpan.FromSeconds(double.Parse(parts[0])), TimeSpan.FromMilliseconds(double.Parse(parts[1])), 10)).Ms);
    return 0;
}


Console.WriteLine("Publishing the program three ways (framework-dependent, ReadyToRun as in the image, Native AOT)...");
var frameworkDependent = await Repository.PublishAsync("framework-dependent", []);
var readyToRun = await Repository.PublishAsync("ready-to-run", ["-r", "linux-x64", "--self-contained", "false", "-p:PublishReadyToRun=true"]);
// Octokit and the AWS SDK are not trim-safe (IL2104, IL3053): the AOT build must let those warnings through to exist at all.
var nativeAot = await Repository.PublishAsync("native-aot", ["-r", "linux-x64", "-p:PublishAot=true", "-p:TreatWarningsAsErrors=false"], native: true);

// The image's build: streaming and memory are measured on it, as the action runs it.
var imageBinary = await ImageBinaryAsync();

Console.WriteLine("Start-up...");
foreach (var build in new[] { frameworkDependent, readyToRun, nativeAot, await TaskBinaryAsync(), imageBinary })
{
    if (build.EntryPoint is null) { report.Startup(build, null); continue; }
    try { report.Startup(build, await Startup.MeasureAsync(build, runs)); }
    catch (Exception e) { report.Startup(build with { Note = $"built ({build.Note}) but does not run: {e.Message}" }, null); }
}

Console.WriteLine("Code to STS...");
foreach (var poll in new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1) })
    foreach (var rtt in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(150) })
        report.CodeToSts(poll, rtt, await CodeToSts.MeasureAsync(readyToRun, poll, rtt, runs));
foreach (var rtt in new[] { TimeSpan.Zero, TimeSpan.FromMilliseconds(150) })
    report.ReferenceCodeToSts(rtt, await ReferencePoller.MeasureLatencyAsync(rtt, quick ? 4 : 10));

Console.WriteLine("Cost of waiting...");
report.WaitingCost(
    await WaitingCost.RealProgramAsync(readyToRun, TimeSpan.FromSeconds(quick ? 20 : 60)),
    await WaitingCost.TenMinutesAsync(),
    await WaitingCost.ReferenceTenMinutesAsync());

Console.WriteLine("Streaming...");
await Streaming.MeasureAsync(imageBinary, 10); // once through, not shown: the page cache and the bench's own JIT
report.Streaming(await Streaming.MeasureAsync(imageBinary, 100), await Streaming.MeasureAsync(imageBinary, quick ? 200 : 300));

Console.WriteLine("A flood of /mfa comments...");
report.Flood([
    await Flood.MeasureAsync(readyToRun, 1000, 10, TimeSpan.Zero),
    await Flood.MeasureAsync(readyToRun, 1000, 10, TimeSpan.FromMilliseconds(150)),
]);

Console.WriteLine("The image...");
report.Image(await ImageFigures.MeasureAsync());

Console.WriteLine("The Azure extension...");
report.Vsix(await VsixFigures.MeasureAsync());

Console.WriteLine("A whole gated run...");
report.GatedRun(await GatedRunMemory.MeasureAsync(imageBinary));

Console.WriteLine("In-process (BenchmarkDotNet)...");
var config = ManualConfig.CreateMinimumViable().AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)).WithOptions(ConfigOptions.DisableLogFile);
report.InProcess(BenchmarkRunner.Run<InProcessBenchmarks>(config));

var terraform = await Cli.Wrap("terraform").WithArguments("version").WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
report.Machine(
    File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU",
    Environment.ProcessorCount,
    File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
    RuntimeInformation.OSDescription,
    RuntimeInformation.FrameworkDescription,
    terraform.StandardOutput.Split('\n')[0]);

var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
if (!quick) File.WriteAllText(Path.Combine(Repository.Root, "docs", "performance.md"), markdown, new UTF8Encoding(false));
Console.WriteLine(quick ? "(--quick: docs/performance.md left as it was)" : "Wrote docs/performance.md");
return report.AllTargetsMet ? 0 : 1;

// The Azure task's single-file build as its shim starts it (azure-pipelines/build-vsix leaves the bundle uncompressed for
// brotli), and the image's (the Dockerfile adds ReadyToRun to that).
static Task<Repository.Build> TaskBinaryAsync() =>
    Repository.PublishAsync("task-binary", ["-r", "linux-x64", "-p:TfMfaTaskBinary=true", "-p:EnableCompressionInSingleFile=false"], native: true);

static async Task<Repository.Build> ImageBinaryAsync() =>
    await Repository.PublishAsync("image-binary", ["-r", "linux-x64", "-p:TfMfaTaskBinary=true", "-p:PublishReadyToRun=true", "-p:EnableCompressionInSingleFile=false"], native: true)
        with { Environment = Repository.ImageRuntimeSettings() };
