using System.Text.Json.Nodes;
using CliWrap;
using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.Container;

/// <summary>
/// The image users run (issue 10), run as GitHub's runner runs a container action, against the
/// GitHub and AWS stand-ins on 127.0.0.1, with the terraform inside the image.
/// </summary>
public sealed class ContainerTests
{
    private const int Timeout = 900_000; // the first test may build the image
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static async Task<(GateScenario Scenario, ContainerAction Action)> StartAsync(string config = GateScenario.ProductionConfig)
    {
        var image = await ContainerImage.RequireAsync();
        var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig(config);
        scenario.Inputs["environment"] = "production";
        return (scenario, new ContainerAction(scenario, image));
    }

    private static void AssertNoRunnerToken(ActionResult run)
    {
        foreach (var (name, value) in ContainerAction.RunnerTokens.Where(t => t.Key.Contains("TOKEN", StringComparison.Ordinal)))
            Assert.DoesNotContain(value, string.Join("\n", run.LinesOutsideMasks));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_gated_plan_takes_a_code_from_a_comment_and_runs_the_images_terraform_with_the_session()
    {
        var (scenario, action) = await StartAsync();
        await using var _ = scenario;
        var code = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {code}");

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice", run.StandardOutput);
        Assert.True(run.StandardOutput.Contains("1 to add, 0 to change, 0 to destroy", StringComparison.Ordinal), run.ToString());
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Equal("alice", scenario.Outputs()["authenticated-by"]);
        Assert.Contains("Authenticated with MFA by", scenario.Summary());
        SecretScan.AssertNoSecrets(scenario, [run], code);
        AssertNoRunnerToken(run);
    }

    [Fact(Timeout = Timeout)]
    public async Task In_comment_trigger_mode_the_image_asks_and_ends_and_the_reply_starts_the_run_that_plans()
    {
        var (scenario, action) = await StartAsync(GateScenario.ProductionConfig + "wait:\n  mode: comment-trigger\n");
        await using var _ = scenario;

        var asked = await action.RunAsync(RunTimeout);

        Assert.True(asked.ExitCode == 0, asked.ToString());
        Assert.Equal("true", scenario.Outputs()["waiting"]);
        Assert.Equal("pending", scenario.GitHub.LatestStatus(GateScenario.HeadSha, "tfmfa/production/plan")?.State);
        Assert.Empty(scenario.Aws.IssuedSessions);
        var request = Assert.Single(scenario.RequestComments());

        var code = scenario.CurrentCode();
        await CommentTriggerTests.ReplyAsync(scenario, "alice", $"/mfa {CommentTriggerTests.IdOf(request)} {code}");
        var answered = await action.RunAsync(RunTimeout);

        Assert.True(answered.ExitCode == 0, answered.ToString());
        Assert.Contains("::notice::Authenticated with MFA by alice", answered.StandardOutput);
        var session = Assert.Single(scenario.Aws.IssuedSessions);
        Assert.NotEmpty(scenario.S3Requests);
        Assert.All(scenario.S3Requests, r => Assert.Equal(session.AccessKeyId, r.AccessKeyId));
        Assert.Equal("success", scenario.GitHub.LatestStatus(GateScenario.HeadSha, "tfmfa/production/plan")?.State);
        SecretScan.AssertNoSecrets(scenario, [asked, answered], code);
        AssertNoRunnerToken(answered);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_gated_apply_takes_the_code_from_the_environment_approval()
    {
        var (scenario, action) = await StartAsync();
        await using var _ = scenario;
        scenario.Inputs["command"] = "apply";
        // plans-and-applies: the approval's code runs the plan; the request that shows the plan takes a newer code.
        var code = scenario.CurrentCode();
        scenario.GitHub.AddApproval(GateScenario.RunId, "alice", $"/mfa {code}", "production");
        scenario.NextCodeWindow(); // STS still takes the approval's code from the window before
        var applyCode = scenario.CurrentCode();
        scenario.PersonAnswers("alice", $"/mfa {applyCode}");

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using the code in @alice's approval of environment 'production'.", run.StandardOutput);
        Assert.Contains("Apply complete! Resources: 1 added", run.StandardOutput);
        Assert.Equal([code, applyCode], scenario.CodesSentToSts.Select(c => c.TokenCode));
        var session = scenario.Aws.IssuedSessions[^1];
        Assert.Contains(scenario.S3Requests, r => r.Operation == "PutObject" && r.AccessKeyId == session.AccessKeyId);
        // The local-exec ran under /bin/sh in the image and saw the apply's session, nothing else.
        var seen = TfMfa.StandIns.Terraform.SampleModule.ReadSeenEnvironment(scenario.ModuleDirectory);
        Assert.Equal(session.AccessKeyId, seen["AWS_ACCESS_KEY_ID"]);
        Assert.False(seen.ContainsKey("AWS_MFA_SERIAL_NUMBER"));
        SecretScan.AssertNoSecrets(scenario, [run], code, applyCode);
        AssertNoRunnerToken(run);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_module_from_a_git_source_is_fetched_with_the_images_git()
    {
        var (scenario, action) = await StartAsync("default-level: never\n");
        await using var _ = scenario;
        scenario.Inputs["command"] = "apply";
        // A bare repository in the workspace holding a module, as a private module repository would.
        var source = Path.Combine(scenario.Root, "module-src");
        Directory.CreateDirectory(Path.Combine(source, "greeting"));
        File.WriteAllText(Path.Combine(source, "greeting", "main.tf"), """
            resource "terraform_data" "hello" {
              provisioner "local-exec" {
                interpreter = ["/bin/sh", "-c"]
                command     = "echo \"greeting from $(basename \"$0\") in $(pwd)\" > /github/workspace/infra/greeting.txt"
              }
            }
            """);
        await Git(source, "init", "-q", "-b", "main");
        await Git(source, "add", ".");
        await Git(source, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "module");
        await Git(scenario.Root, "clone", "-q", "--bare", source, Path.Combine(scenario.Workspace, "modules.git"));
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), """

            module "greeting" {
              source = "git::file:///github/workspace/modules.git//greeting?ref=main"
            }
            """);

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Downloading git::file:///github/workspace/modules.git", run.StandardOutput);
        Assert.Contains("greeting from", File.ReadAllText(Path.Combine(scenario.ModuleDirectory, "greeting.txt")));
    }

    /// <summary>
    /// Issue 18.1 through the image: the plan's credential_process leaves a lurker and writes
    /// dev_overrides into the runner's HOME (which belongs to the runner's uid, as terraform's does);
    /// the apply's local-exec tries to change the sealed plan, the image's terraform and TfMfa itself.
    /// </summary>
    [Fact(Timeout = Timeout)]
    public async Task In_the_container_terraform_runs_as_its_own_uid_and_nothing_the_plan_started_reaches_the_apply()
    {
        var (scenario, action) = await StartAsync("environments:\n  production:\n    level: applies-only\n");
        await using var _ = scenario;
        scenario.Inputs["command"] = "apply";
        NothingOutlivesItsRunTests.PlantLurker(scenario, scenario.Aws.Endpoint);
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), """

            resource "terraform_data" "reach" {
              provisioner "local-exec" {
                interpreter = ["/bin/sh", "-c"]
                command     = <<-EOT
                  { echo "uid $(id -u)"; \
                    plan=$(tr '\0' '\n' < /proc/$PPID/cmdline | grep '\.tfplan$'); echo "plan $plan"; \
                    if echo x >> "$plan" 2>/dev/null; then echo plan-writable; else echo plan-denied; fi; \
                    if echo x >> /usr/local/bin/terraform 2>/dev/null; then echo terraform-writable; else echo terraform-denied; fi; \
                    if echo x >> /app/tfmfa 2>/dev/null; then echo tfmfa-writable; else echo tfmfa-denied; fi; } > reach.txt
                EOT
              }
            }
            """);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        await NothingOutlivesItsRunTests.AssertNothingSurvivedAsync(scenario, run);
        // The runner's user owns the checkout and HOME (ContainerAction), and terraform runs as that uid.
        Assert.Contains($"terraform runs as uid {ContainerAction.RunnerUid}, not as TfMfa's root", run.StandardOutput);
        Assert.Contains("terraform init left", run.StandardOutput);
        Assert.DoesNotContain("Provider development overrides are in effect", run.StandardOutput);
        var reach = File.ReadAllText(Path.Combine(scenario.ModuleDirectory, "reach.txt"));
        Assert.Contains($"uid {ContainerAction.RunnerUid}", reach);
        Assert.Matches(@"plan /\S+\.tfplan", reach);
        Assert.Contains("plan-denied", reach);
        Assert.Contains("terraform-denied", reach);
        Assert.Contains("tfmfa-denied", reach);
        Assert.Contains("Apply complete!", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraform_in_the_container_cannot_read_tfmfas_environment_or_memory()
    {
        var (scenario, action) = await StartAsync("default-level: never\n");
        await using var _ = scenario;
        scenario.Inputs["command"] = "apply";
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), """

            resource "terraform_data" "probe" {
              provisioner "local-exec" {
                interpreter = ["/bin/sh", "-c"]
                command     = <<-EOT
                  { echo "pid1: $(cat /proc/1/cmdline | tr '\0' ' ')"; \
                    if cat /proc/1/environ > environ.bin 2>/dev/null; then echo environ-readable; else echo environ-denied; fi; \
                    if head -c 1 /proc/1/mem > /dev/null 2>&1; then echo mem-readable; else echo mem-denied; fi; \
                    env | grep -c -E '^(GITHUB_TOKEN|ACTIONS_[A-Z_]*TOKEN|INPUT_)' || true; } > probe.txt
                EOT
              }
            }
            """);

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        var probe = File.ReadAllText(Path.Combine(scenario.ModuleDirectory, "probe.txt"));
        Assert.Contains("pid1: /app/tfmfa", probe);
        Assert.Contains("environ-denied", probe);
        Assert.Contains("mem-denied", probe);
        Assert.EndsWith("0\n", probe); // no runner token or input in terraform's own environment
        var environ = Path.Combine(scenario.ModuleDirectory, "environ.bin");
        var leaked = File.Exists(environ) ? File.ReadAllText(environ) : "";
        Assert.DoesNotContain(scenario.User.SecretAccessKey, leaked);
        Assert.DoesNotContain(ContainerAction.RunnerTokens["GITHUB_TOKEN"], leaked);
    }

    [Fact(Timeout = Timeout)]
    public async Task Sigterm_to_the_container_while_terraform_holds_the_lock_releases_it()
    {
        var (scenario, action) = await StartAsync("default-level: never\n");
        await using var _ = scenario;
        scenario.Inputs["command"] = "apply";
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), """

            resource "terraform_data" "slow" {
              provisioner "local-exec" {
                command = "sleep 60"
              }
            }
            """);
        var lockSeen = false;
        var signalled = false;

        var run = await action.RunAsync(RunTimeout, async (line, container) =>
        {
            if (signalled || !line.Contains("terraform_data.slow: Creating...", StringComparison.Ordinal)) return;
            signalled = true;
            lockSeen = scenario.Bucket.Keys.Any(k => k.EndsWith(".tflock", StringComparison.Ordinal));
            await container.SendSigtermAsync();
        });

        Assert.True(signalled, run.ToString());
        Assert.True(lockSeen, "terraform held no S3 lock during apply, so the test proves nothing\n" + run);
        Assert.Equal(130, run.ExitCode);
        Assert.Contains("::error::The run was cancelled", run.StandardOutput);
        Assert.DoesNotContain(scenario.Bucket.Keys, k => k.EndsWith(".tflock", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task The_image_fetches_and_verifies_the_terraform_version_the_module_asks_for()
    {
        var (scenario, action) = await StartAsync("default-level: never\n");
        await using var _ = scenario;
        await using var releases = await TfMfa.StandIns.Releases.ReleasesStandIn.StartAsync();
        // This machine's terraform as release 1.11.3: it runs inside the image (same libc-free Go binary).
        releases.AddRelease("terraform", "1.11.3", await File.ReadAllBytesAsync(TerraformBinary.Path!, TestContext.Current.CancellationToken));
        File.WriteAllText(Path.Combine(scenario.ModuleDirectory, "versions.tf"), "terraform {\n  required_version = \"~> 1.11.0\"\n}\n");
        scenario.Inputs["terraform-version"] = "auto";
        scenario.Inputs["releases-url"] = releases.Url;
        scenario.Inputs["releases-key"] = releases.ArmoredPublicKey;

        var run = await action.RunAsync(RunTimeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Using terraform 1.11.3 (required_version in infra/versions.tf: ~> 1.11.0)", run.StandardOutput);
        Assert.Contains("zip SHA256 matches", run.StandardOutput);
        Assert.Contains(releases.Requests, r => r == "/terraform/1.11.3/terraform_1.11.3_linux_amd64.zip");
        Assert.Contains("::group::terraform plan -input=false", run.StandardOutput);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_image_holds_what_a_terraform_run_needs()
    {
        var image = await ContainerImage.RequireAsync();
        var result = await CliWrap.Buffered.BufferedCommandExtensions.ExecuteBufferedAsync(Cli.Wrap("docker")
            .WithArguments(["run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c",
                "git --version && ssh -V 2>&1 && terraform version && test -s /etc/ssl/certs/ca-certificates.crt && test -x /app/tfmfa && setpriv --version && unshare --version && stat -c '%u %g' / && echo ok"])
            .WithValidation(CommandResultValidation.None), TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
        Assert.Contains("git version", result.StandardOutput);
        Assert.Contains("OpenSSH", result.StandardOutput);
        Assert.Contains("Terraform v1.11", result.StandardOutput);
        Assert.Contains("setpriv from util-linux", result.StandardOutput); // TfMfa runs terraform as its own uid through it
        Assert.Contains("unshare from util-linux", result.StandardOutput); // or in namespaces of its own, when not root
        Assert.Contains("0 0\nok", result.StandardOutput); // stat -c, which finds the working directory's owner
    }

    private static Task Git(string directory, params string[] arguments) =>
        Cli.Wrap("git").WithArguments(arguments).WithWorkingDirectory(directory).ExecuteAsync(TestContext.Current.CancellationToken);
}
