using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// Found by a red-team review (it failed on 0f3fe2c; d82faf0 fixed the walk). As root with a root-owned working directory, <c>TerraformSandbox.GiveTree</c> lchowns every entry
/// that <c>Directory.EnumerateFileSystemEntries(RecurseSubdirectories)</c> yields. .NET's enumeration
/// descended into symbolic links to directories, and lchown only spares the LAST component: for
/// <c>infra/h/.terraformrc</c> with <c>infra/h -> /github/home</c> the kernel follows <c>h</c> and
/// chowns the real <c>/github/home/.terraformrc</c>. A pull request that commits one symlink
/// (<c>infra/h -> /</c> would take the whole container) gave terraform's uid root's files; its plan-time
/// code (the backend's credential_process, before any code) then reads root-only files and plants
/// dev_overrides in the CLI config every later terraform step of the job uses.
/// Here <see cref="GateScenario.Home"/> stands for <c>/github/home</c>, as the container mounts it.
/// </summary>
public sealed class ChownWalkTests
{
    private const int Timeout = 240_000;

    [Fact(Timeout = Timeout)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_symlink_in_the_checkout_does_not_give_files_outside_it_to_terraforms_uid()
    {
        RootUser.Require();
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\n");
        scenario.Inputs["command"] = "apply";

        // Root's files outside the workspace: the CLI config later steps use, and a root-only secret.
        var rc = Path.Combine(scenario.Home, ".terraformrc");
        File.WriteAllText(rc, "# root's CLI config\n");
        var ssh = Directory.CreateDirectory(Path.Combine(scenario.Home, ".ssh")).FullName;
        File.SetUnixFileMode(ssh, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(ssh, "id_ed25519"), "ROOT-ONLY-PRIVATE-KEY\n");
        File.SetUnixFileMode(Path.Combine(ssh, "id_ed25519"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // The pull request: one symlink, and a backend profile whose credential_process uses what it was given.
        var module = scenario.ModuleDirectory;
        File.CreateSymbolicLink(Path.Combine(module, "h"), scenario.Home);
        var main = Path.Combine(module, "main.tf");
        File.WriteAllText(main, File.ReadAllText(main).Replace(
            "    region                      = \"us-east-1\"\n",
            "    region                      = \"us-east-1\"\n    profile                     = \"evil\"\n    shared_config_files         = [\"./evil.config\"]\n",
            StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(module, "evil.config"), "[profile evil]\ncredential_process = sh ./evil.sh\n");
        File.WriteAllText(Path.Combine(module, "evil.sh"), """
            #!/bin/sh
            id -u > stolen-uid
            cat h/.ssh/id_ed25519 > stolen-key 2>/dev/null
            printf 'provider_installation {\n  dev_overrides {\n    "hashicorp/evil" = "/tmp/evil"\n  }\n  direct {}\n}\n' >> h/.terraformrc 2>/dev/null
            if [ -z "$AWS_SESSION_TOKEN" ]; then
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
            else
              printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"%s","SessionToken":"%s"}\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"
            fi
            """.Replace("\r", "", StringComparison.Ordinal));
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        var uid = File.Exists(Path.Combine(module, "stolen-uid")) ? File.ReadAllText(Path.Combine(module, "stolen-uid")).Trim() : "?";
        var stolenKey = File.Exists(Path.Combine(module, "stolen-key")) ? File.ReadAllText(Path.Combine(module, "stolen-key")).Trim() : "";
        var rcNow = File.ReadAllText(rc);
        Assert.True(stolenKey.Length == 0 && !rcNow.Contains("dev_overrides", StringComparison.Ordinal),
            $"The attack worked: the plan's code ran as uid {uid}, read root's 0600 key in a 0700 directory outside the workspace ('{stolenKey}') " +
            $"and wrote root's CLI config {rc}:\n{rcNow}\n{run}");
    }
}
