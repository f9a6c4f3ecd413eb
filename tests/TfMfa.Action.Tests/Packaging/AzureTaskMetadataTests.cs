using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using TfMfa.AzurePipelines;
using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Inputs;
using TfMfa.Terminal;
using YamlDotNet.RepresentationModel;

namespace TfMfa.Tests.Packaging;

/// <summary>task.json, vss-extension.json and the copyable pipelines agree with what the program reads.</summary>
public sealed class AzureTaskMetadataTests
{
    private static JsonObject Json(params string[] path) => JsonNode.Parse(File.ReadAllText(RepositoryFiles.Path(path)))!.AsObject();

    private static readonly JsonObject Task = Json("azure-pipelines", "task", "task.json");

    private static IReadOnlyList<string> TaskInputs => [.. Task["inputs"]!.AsArray().Select(i => i!["name"]!.GetValue<string>())];

    private static InputConventions Conventions
    {
        get
        {
            using var log = new TerminalRunLog(TextWriter.Null, TextWriter.Null);
            return new AzurePipelinesFrontEnd(new DictionaryEnvironment(new Dictionary<string, string>()), log, new FakeTimeProvider()).Inputs;
        }
    }

    [Fact]
    public void Every_input_name_is_one_the_agent_accepts_and_the_program_reads()
    {
        var read = InputReader.Names.Select(n => Conventions.VariableName(n)).OfType<string>().ToHashSet();
        foreach (var name in TaskInputs)
        {
            Assert.Matches(new Regex("^[A-Za-z][A-Za-z0-9]*$"), name);
            if (name == "awsCredentials") continue; // read as the service connection's keys
            Assert.True(read.Contains("INPUT_" + name.ToUpperInvariant()), $"task.json input '{name}' is not read by the program");
        }
    }

    [Fact]
    public void The_contracts_inputs_are_all_declared_with_its_defaults()
    {
        string[] contract = ["command", "environment", "workingDirectory", "config", "timeout", "init", "planFile", "terraformArgs",
                             "roleToAssume", "sessionDuration", "awsRegion", "pullRequestId", "awsCredentials"];
        Assert.Empty(contract.Except(TaskInputs));
        var input = (string name) => Task["inputs"]!.AsArray().Single(i => i!["name"]!.GetValue<string>() == name)!;
        Assert.Equal(".azuredevops/tfmfa.yml", input("config")["defaultValue"]!.GetValue<string>());
        Assert.Equal(AzurePipelinesFrontEnd.DefaultConfigPath, Conventions.DefaultConfigPath);
        Assert.Equal("connectedService:AWSServiceEndpoint", input("awsCredentials")["type"]!.GetValue<string>());
    }

    [Fact]
    public void The_task_runs_on_the_node_handlers_and_declares_the_output_variables()
    {
        var execution = Task["execution"]!.AsObject();
        Assert.Equal(["Node20_1", "Node24"], execution.Select(e => e.Key).Order());
        Assert.All(execution, e => Assert.Equal("index.js", e.Value!["target"]!.GetValue<string>()));
        Assert.Equal(["authenticatedBy", "exitCode", "mfaDevice", "mfaRequired", "planSha256", "sessionExpiration"],
            Task["outputVariables"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).Order());
        foreach (var github in new[] { "authenticated-by", "exit-code", "mfa-device", "mfa-required", "plan-sha256", "session-expiration" })
            Assert.Contains(AzurePipelinesRunLog.CamelCase(github), Task["outputVariables"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void The_extension_contributes_the_task_folder_as_a_pipelines_task()
    {
        var extension = Json("azure-pipelines", "vss-extension.json");
        var contribution = Assert.Single(extension["contributions"]!.AsArray())!;

        Assert.Equal("ms.vss-distributed-task.task", contribution["type"]!.GetValue<string>());
        Assert.Equal("task", contribution["properties"]!["name"]!.GetValue<string>());
        Assert.Contains(extension["files"]!.AsArray(), f => f!["path"]!.GetValue<string>() == "task");
    }

    [Fact]
    public void Every_example_pipeline_passes_only_inputs_of_task_json_and_the_sample_config_loads()
    {
        var inputs = TaskInputs.ToHashSet();
        var steps = 0;
        foreach (var file in Directory.GetFiles(RepositoryFiles.Path("azure-pipelines", "examples"), "*.yml"))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            foreach (var step in Descendants(stream.Documents[0].RootNode).OfType<YamlMappingNode>()
                         .Where(m => m.Children.TryGetValue("task", out var t) && ((YamlScalarNode)t).Value == "TfMfa@1"))
            {
                steps++;
                foreach (var key in ((YamlMappingNode)step["inputs"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!))
                    Assert.True(inputs.Contains(key), $"{Path.GetFileName(file)}: '{key}' is not an input of task.json");
            }
        }
        Assert.True(steps >= 2);

        var text = File.ReadAllText(RepositoryFiles.Path("azure-pipelines", "tfmfa.yml"));
        var policy = PolicyBuilder.Build(RepoConfigReader.Read(text, "azure-pipelines/tfmfa.yml"), new Dictionary<string, LocatedValue>());
        Assert.Equal(MfaLevel.PlansAndApplies, policy.For("production").Level);
    }

    private static IEnumerable<YamlNode> Descendants(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.Values.SelectMany(Descendants).Prepend(map),
        YamlSequenceNode seq => seq.Children.SelectMany(Descendants).Prepend(seq),
        _ => [node],
    };
}
