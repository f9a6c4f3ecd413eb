using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd.AzurePipelines;

/// <summary>
/// Issue 18.4, attack first: from a <c>local-exec</c>, walk up the process tree and read each
/// ancestor's <c>/proc/&lt;pid&gt;/environ</c>. The task's Node shim was started by the agent with the
/// job token, the AWS secret key and every mapped secret in its environment, and a process of the
/// same user can read a dumpable parent's environment.
/// </summary>
public sealed class AzureAncestorTests
{
    private const int Timeout = 180_000;

    /// <summary>Walks from the local-exec's shell to the top, recording every ancestor's environment it can read.</summary>
    public const string AncestorWalk = """

        resource "terraform_data" "ancestors" {
          triggers_replace = [timestamp()]
          provisioner "local-exec" {
            interpreter = ["/bin/sh", "-c"]
            command     = <<-EOT
              pid=$$; : > ancestors.txt
              while [ "$pid" -gt 1 ]; do
                ppid=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)
                if [ -z "$ppid" ] || [ "$ppid" -lt 1 ]; then break; fi
                name=$(cat /proc/$ppid/comm 2>/dev/null)
                if tr '\0' '\n' < /proc/$ppid/environ > ancestor.env 2>/dev/null; then
                  echo "readable $ppid $name" >> ancestors.txt; cat ancestor.env >> ancestors.txt
                else
                  echo "denied $ppid $name" >> ancestors.txt
                fi
                rm -f ancestor.env
                pid=$ppid
              done
            EOT
          }
        }
        """;

    /// <summary>terraform's own environment is the local-exec's to read (it has the keys it runs with by design); nothing above it.</summary>
    internal static void AssertOnlyTerraformWasReadable(string walk)
    {
        var readable = walk.Split('\n').Where(l => l.StartsWith("readable ", StringComparison.Ordinal)).ToList();
        Assert.All(readable, l => Assert.EndsWith(" terraform", l));
        Assert.True(readable.Count <= 1, walk);
    }

    [Fact(Timeout = Timeout)]
    public async Task Terraform_cannot_read_the_environment_of_the_node_shim_or_any_other_ancestor()
    {
        await using var scenario = await AzureScenario.StartAsync();
        scenario.WriteConfig("default-level: never\n");
        scenario.Inputs["command"] = "apply";
        scenario.Variables["SECRET_DB_PASSWORD"] = "db-password-value-123";
        File.AppendAllText(Path.Combine(scenario.ModuleDirectory, "main.tf"), AncestorWalk);

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var walk = File.ReadAllText(Path.Combine(scenario.ModuleDirectory, "ancestors.txt"));
        Assert.Contains("node", walk); // the walk reached the shim
        Assert.DoesNotContain(scenario.Azure.Token, walk);
        Assert.DoesNotContain("db-password-value-123", walk);
        AssertOnlyTerraformWasReadable(walk);
    }
}
