using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Runner;

namespace TfMfa.EndToEnd;

/// <summary>
/// What terraform, and everything it starts, can reach (issue 9's walls): none of the runner's
/// tokens or file commands, no unredacted log file, no workflow command, nothing of TfMfa's or its
/// parent's environment or memory. Through the real program and real terraform, with a module that
/// needs no backend and no provider download.
/// </summary>
public sealed class TerraformIsolationTests
{
    private const int Timeout = 180_000;
    private const int Nobody = 65534;

    /// <summary>As root, /proc is readable whatever a process says, and TfMfa builds other walls: run as a runner's (non-root) user.</summary>
    private static void AsNonRootUser(GateScenario scenario)
    {
        if (Environment.UserName != "root") return;
        scenario.RunAsUser = Nobody;
        scenario.Variables["HOME"] = scenario.Root;
        scenario.Variables["DOTNET_CLI_HOME"] = scenario.Root;
    }

    /// <summary>A root module whose local-exec runs <paramref name="script"/> in the module directory.</summary>
    private static void Module(GateScenario scenario, string script, string extra = "")
    {
        Directory.CreateDirectory(scenario.ModuleDirectory);
        File.WriteAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), $$"""
            resource "terraform_data" "probe" {
              provisioner "local-exec" {
                interpreter = ["/bin/sh", "-c"]
                command     = <<-EOT
                  {{script}}
                EOT
              }
            }
            {{extra}}
            """);
        File.Delete(Path.Combine(scenario.ModuleDirectory, "main.tf.bak"));
    }

    private static string Seen(GateScenario scenario, string file) => File.ReadAllText(Path.Combine(scenario.ModuleDirectory, file));

    [Fact(Timeout = Timeout)]
    public async Task Terraform_and_its_local_exec_get_none_of_the_runners_tokens_nor_the_file_commands()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        Module(scenario, "env | sort > seen-env.txt");
        var runner = new Dictionary<string, string>
        {
            ["GITHUB_TOKEN"] = "ghs_job_token_value_0001",
            ["ACTIONS_RUNTIME_TOKEN"] = "runtime-token-value-0002",
            ["ACTIONS_RUNTIME_URL"] = "https://pipelines.actions.githubusercontent.com/x/",
            ["ACTIONS_RESULTS_URL"] = "https://results-receiver.actions.githubusercontent.com/",
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "oidc-request-token-0003",
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = "https://pipelines.actions.githubusercontent.com/x/idtoken",
            ["GITHUB_ENV"] = Path.Combine(scenario.Root, "github_env"),
            ["GITHUB_PATH"] = Path.Combine(scenario.Root, "github_path"),
        };
        foreach (var (name, value) in runner) scenario.Variables[name] = value;

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var seen = Seen(scenario, "seen-env.txt");
        foreach (var name in runner.Keys.Append("GITHUB_OUTPUT").Append("GITHUB_STEP_SUMMARY").Append("INPUT_GITHUB-TOKEN"))
            Assert.DoesNotContain(name + "=", seen);
        Assert.Contains("TF_IN_AUTOMATION=1", seen);
        Assert.Contains("GITHUB_REPOSITORY=", seen); // harmless context still passes
        Assert.DoesNotContain("ghs_job_token_value_0001", string.Join("\n", run.LinesOutsideMasks));
    }

    [Fact(Timeout = Timeout)]
    public async Task TF_LOG_PATH_is_dropped_with_a_warning_so_no_unredacted_log_file_is_written()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        Module(scenario, "true");
        var logFile = Path.Combine(scenario.Root, "terraform.log");
        scenario.Variables["TF_LOG"] = "DEBUG";
        scenario.Variables["TF_LOG_PATH"] = logFile;

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("::warning::TF_LOG_PATH is set, but terraform does not get it: terraform writes its log, session token included, to that file", run.StandardOutput);
        Assert.False(File.Exists(logFile), "terraform wrote a log file TfMfa cannot redact");
        Assert.Contains("[DEBUG]", run.AllOutput); // TF_LOG itself still works, into the redacted run log
    }

    [Fact(Timeout = Timeout)]
    public async Task Workflow_commands_printed_by_terraform_are_inert_and_tfmfas_own_error_still_counts()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        // A module output carrying commands: the plan shows it as an indented heredoc, and the
        // runner trims leading whitespace before it looks for '::'. Then the apply fails.
        Module(scenario, "exit 7", """
            output "banner" {
              value = "hello\n::stop-commands::pwned\n::error::forged by terraform\n::add-mask::AKIAFORGED\n"
            }
            """);

        var run = await scenario.RunAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("::stop-commands::pwned", run.StandardOutput); // terraform did print it
        var honoured = RunnerCommandReader.Honoured(run.StandardOutput);
        Assert.DoesNotContain(honoured, c => c.Data.Contains("forged", StringComparison.Ordinal) || c.Data == "AKIAFORGED");
        Assert.Contains(honoured, c => c.Name == "error" && c.Data.StartsWith("terraform apply failed with exit code 1", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraform_running_as_the_same_non_root_user_cannot_read_tfmfas_environment_or_memory()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        // local-exec's shell -> terraform -> tfmfa: read the grandparent's /proc files.
        Module(scenario, """
            tfmfa=$(awk '/^PPid/ { print $2 }' /proc/$PPID/status)
            echo "tfmfa pid $tfmfa, me $(id -u)" > probe.txt
            if cat /proc/$tfmfa/environ > environ.bin 2>> probe.txt; then echo environ-readable >> probe.txt; else echo environ-denied >> probe.txt; fi
            if head -c 1 /proc/$tfmfa/mem > /dev/null 2>> probe.txt; then echo mem-readable >> probe.txt; else echo mem-denied >> probe.txt; fi
            """);
        scenario.Variables["GITHUB_TOKEN"] = "ghs_job_token_value_0004";
        var probe = Path.Combine(scenario.ModuleDirectory, "probe.txt");
        AsNonRootUser(scenario);

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var seen = File.ReadAllText(probe);
        Assert.DoesNotContain("me 0", seen);
        Assert.Contains("environ-denied", seen);
        Assert.Contains("mem-denied", seen);
        var environ = Path.Combine(scenario.ModuleDirectory, "environ.bin");
        var leaked = File.Exists(environ) ? File.ReadAllText(environ) : "";
        Assert.DoesNotContain(scenario.User.SecretAccessKey, leaked);
        Assert.DoesNotContain("ghs_job_token_value_0004", leaked);
    }

    /// <summary>
    /// Issue 18.4 off the container: a non-root agent (Azure Pipelines' own, a self-hosted runner's user)
    /// starts TfMfa from a parent that keeps the job's secrets in its environment (the task's Node shim);
    /// a local-exec walks up and reads what it can.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task Terraform_run_by_a_non_root_user_cannot_read_the_environment_of_the_process_that_started_tfmfa()
    {
        TerraformBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), TfMfa.EndToEnd.AzurePipelines.AzureAncestorTests.AncestorWalk);
        scenario.Variables["SECRET_DB_PASSWORD"] = "db-password-value-123";
        scenario.Variables["GITHUB_TOKEN"] = "ghs_job_token_value_0005";
        scenario.UnderParentShell = true;
        AsNonRootUser(scenario);

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("terraform runs in its own user and PID namespaces: it sees no process that started it", run.StandardOutput);
        var walk = File.ReadAllText(Path.Combine(scenario.ModuleDirectory, "ancestors.txt"));
        Assert.DoesNotContain("db-password-value-123", walk);
        Assert.DoesNotContain("ghs_job_token_value_0005", walk);
        TfMfa.EndToEnd.AzurePipelines.AzureAncestorTests.AssertOnlyTerraformWasReadable(walk);
    }

    /// <summary>
    /// The .NET runtime's diagnostics port: a Unix socket in the temp directory, owned by TfMfa's user. Where terraform
    /// runs as that user (a non-root runner: its own user and PID namespaces, same uid), a local-exec can connect and ask
    /// the runtime for TfMfa's environment (the diagnostics IPC protocol's ProcessEnvironment command), which holds the
    /// long-term secret key; the same port loads a profiler or a startup hook into TfMfa.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task Terraform_run_by_a_non_root_user_cannot_ask_the_dotnet_diagnostics_port_for_tfmfas_environment()
    {
        TerraformBinary.Require();
        NodeBinary.Require();
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        File.WriteAllText(Path.Combine(scenario.ModuleDirectory, "ask-diagnostics-port.js"), AskDiagnosticsPort);
        Module(scenario, $"'{NodeBinary.Path}' ask-diagnostics-port.js > port.txt 2>&1");
        scenario.Variables["GITHUB_TOKEN"] = "ghs_job_token_value_0006";
        AsNonRootUser(scenario);

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var seen = Seen(scenario, "port.txt");
        Assert.Contains("searched", seen);
        Assert.DoesNotContain(scenario.User.SecretAccessKey, seen);
        Assert.DoesNotContain("ghs_job_token_value_0006", seen);
        Assert.DoesNotContain("answered", seen);
    }

    /// <summary>Every dotnet-diagnostic socket in the usual temp directories, each asked for its process's environment.</summary>
    private const string AskDiagnosticsPort = """
        const fs = require('fs'), net = require('net'), path = require('path');
        const dirs = [...new Set([process.env.TMPDIR, '/tmp', '/var/tmp'].filter(Boolean))];
        const sockets = dirs.flatMap(d => { try { return fs.readdirSync(d).filter(f => /^dotnet-diagnostic-.*-socket$/.test(f)).map(f => path.join(d, f)); } catch { return []; } });
        console.log(`searched ${dirs.join(' ')}: ${sockets.length} sockets`);
        // DOTNET_IPC_V1 header: magic, total size 20, command set 0x04 (process), command 0x02 (GetProcessEnvironment), reserved.
        const request = Buffer.alloc(20); request.write('DOTNET_IPC_V1\0', 0, 'latin1'); request.writeUInt16LE(20, 14); request[16] = 4; request[17] = 2;
        const ask = (socket) => new Promise(done => {
          const chunks = [];
          const client = net.createConnection(socket, () => client.write(request));
          client.on('data', c => chunks.push(c));
          client.on('error', e => { console.log(`${socket}: ${e.code}`); done(); });
          client.on('close', () => { if (chunks.length) { console.log(`${socket} answered:`); console.log(Buffer.concat(chunks).toString('utf16le').replace(/\0/g, '\n')); } done(); });
          setTimeout(() => client.destroy(), 3000);
        });
        (async () => { for (const s of sockets) await ask(s); })();
        """;
}
