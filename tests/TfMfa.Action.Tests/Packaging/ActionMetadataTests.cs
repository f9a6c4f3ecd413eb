using TfMfa.Config;
using TfMfa.Inputs;
using YamlDotNet.RepresentationModel;

namespace TfMfa.Tests.Packaging;

/// <summary>action.yml and the copyable examples agree with what the program reads.</summary>
public sealed class ActionMetadataTests
{
    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node[key];
    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    [Fact]
    public void Action_yml_declares_exactly_the_inputs_the_program_reads_with_the_contracts_defaults()
    {
        var action = Load(RepositoryFiles.Path("action.yml"));
        var inputs = Map(action, "inputs");

        Assert.Equal(InputReader.Names.Order(), inputs.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order());
        Assert.Equal("true", Scalar(Map(inputs, "command"), "required"));
        var defaults = new Dictionary<string, string>
        {
            ["environment"] = "default", ["working-directory"] = ".", ["config"] = ".github/tfmfa.yml",
            ["github-token"] = "${{ github.token }}", ["init"] = "true", ["session-duration"] = "3600", ["aws-region"] = "us-east-1",
        };
        foreach (var (name, value) in defaults) Assert.Equal(value, Scalar(Map(inputs, name), "default"));
        foreach (var name in new[] { "timeout", "plan-file", "terraform-args", "role-to-assume", "issue-number" })
            Assert.False(Map(inputs, name).Children.ContainsKey("default"), name);
    }

    [Fact]
    public void Action_yml_declares_the_outputs_and_runs_the_dockerfile()
    {
        var action = Load(RepositoryFiles.Path("action.yml"));

        Assert.Equal(["authenticated-by", "exit-code", "mfa-device", "mfa-required", "plan-sha256", "session-expiration", "waiting"],
            Map(action, "outputs").Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order());
        Assert.Equal("docker", Scalar(Map(action, "runs"), "using"));
        Assert.Equal("Dockerfile", Scalar(Map(action, "runs"), "image"));
        Assert.True(File.Exists(RepositoryFiles.Path("Dockerfile")));
    }

    [Fact]
    public void Every_example_workflow_passes_only_inputs_of_action_yml()
    {
        var inputs = Map(Load(RepositoryFiles.Path("action.yml")), "inputs").Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet();
        var workflows = Directory.GetFiles(RepositoryFiles.Path("action", "workflows"), "*.yml");
        Assert.NotEmpty(workflows);

        foreach (var workflow in workflows)
        {
            var steps = Map(Load(workflow), "jobs").Children.Values.Cast<YamlMappingNode>()
                .SelectMany(job => ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>())
                .Where(step => step.Children.ContainsKey("uses") && Scalar(step, "uses").Contains("tfmfa", StringComparison.OrdinalIgnoreCase))
                .ToList();
            Assert.True(steps.Count > 0, $"{workflow} uses no tfmfa step");
            foreach (var step in steps)
                foreach (var key in Map(step, "with").Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
                    Assert.True(inputs.Contains(key), $"{Path.GetFileName(workflow)}: '{key}' is not an input of action.yml");
        }
    }

    [Fact]
    public void The_sample_config_loads_and_uses_every_key_the_loader_knows()
    {
        var text = File.ReadAllText(RepositoryFiles.Path("action", "tfmfa.yml"));

        var policy = PolicyBuilder.Build(RepoConfigReader.Read(text, "action/tfmfa.yml"), new Dictionary<string, LocatedValue>());

        Assert.Equal(MfaLevel.PlansAndApplies, policy.For("production").Level);
        foreach (var key in RepoConfigReader.TopLevelKeys.Concat(RepoConfigReader.WaitKeys).Concat(RepoConfigReader.ApproverKeys).Concat(RepoConfigReader.EnvironmentKeys))
            Assert.Contains(key + ":", text);
    }
}
