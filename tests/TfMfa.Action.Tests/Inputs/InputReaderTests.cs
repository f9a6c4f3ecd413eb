using TfMfa.Config;
using TfMfa.Hosting;
using TfMfa.Inputs;

namespace TfMfa.Tests.Inputs;

public sealed class InputReaderTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("tfmfa-inputs-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private ActionInputs Read(Dictionary<string, string> inputs, params string[] args)
    {
        var variables = inputs.ToDictionary(p => GitHub.GitHubFrontEnd.Conventions.VariableName(p.Key)!, p => p.Value);
        variables["GITHUB_WORKSPACE"] = _workspace;
        return InputReader.Read(new DictionaryEnvironment(variables), args, GitHub.GitHubFrontEnd.Conventions);
    }

    private string ProblemWith(Dictionary<string, string> inputs) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Read(inputs)).Problems);

    [Fact]
    public void Defaults_follow_the_contract()
    {
        var inputs = Read(new() { ["command"] = "plan" });

        Assert.Equal(TerraformCommand.Plan, inputs.Command);
        Assert.Equal("default", inputs.Environment);
        Assert.Equal(_workspace, inputs.WorkingDirectory);
        Assert.Equal(".github/tfmfa.yml", inputs.ConfigPath);
        Assert.True(inputs.Init);
        Assert.Null(inputs.PlanFile);
        Assert.Empty(inputs.TerraformArgs);
        Assert.Equal(3600, inputs.SessionDuration.Seconds);
        Assert.Equal("us-east-1", inputs.AwsRegion);
        Assert.Null(inputs.IssueNumber);
        Assert.Empty(inputs.ConfigOverrides);
    }

    [Fact]
    public void Runner_style_variables_keep_hyphens_and_every_input_is_read()
    {
        Directory.CreateDirectory(Path.Combine(_workspace, "infra"));

        var inputs = Read(new()
        {
            ["command"] = "APPLY", ["environment"] = "production", ["working-directory"] = "infra", ["config"] = "ops/mfa.yml",
            ["github-token"] = "ghs_secret", ["timeout"] = "5m", ["init"] = "False", ["plan-file"] = "tfplan",
            ["terraform-args"] = "-var 'name=a b' -lock-timeout=60s", ["role-to-assume"] = "arn:aws:iam::123456789012:role/deploy",
            ["session-duration"] = "2h", ["aws-region"] = "eu-west-2", ["issue-number"] = "#42",
        });

        Assert.Equal("INPUT_WORKING-DIRECTORY", GitHub.GitHubFrontEnd.Conventions.VariableName("working-directory"));
        Assert.Equal(TerraformCommand.Apply, inputs.Command);
        Assert.Equal(Path.Combine(_workspace, "infra"), inputs.WorkingDirectory);
        Assert.False(inputs.Init);
        Assert.Equal(["-var", "name=a b", "-lock-timeout=60s"], inputs.TerraformArgs);
        Assert.Equal(7200, inputs.SessionDuration.Seconds);
        Assert.Equal(42, inputs.IssueNumber);
        Assert.Equal("5m", inputs.ConfigOverrides["wait:timeout"].Value);
        Assert.Equal("input 'role-to-assume'", inputs.ConfigOverrides["environments:production:role-to-assume"].Where);
        Assert.DoesNotContain("ghs_secret", inputs.ToString());
    }

    [Fact]
    public void Command_line_arguments_win_over_variables()
    {
        var inputs = Read(new() { ["command"] = "plan", ["environment"] = "staging" }, "apply", "--environment", "production", "--aws-region=eu-central-1");

        Assert.Equal(TerraformCommand.Apply, inputs.Command);
        Assert.Equal("production", inputs.Environment);
        Assert.Equal("eu-central-1", inputs.AwsRegion);
    }

    [Theory]
    [InlineData("--enviroment", "option '--enviroment' is not an input of tfmfa")]
    [InlineData("stray", "argument 'stray' is not understood")]
    [InlineData("--timeout", "option '--timeout' needs a value")]
    public void Bad_arguments_name_themselves(string arg, string expected)
    {
        var args = arg == "stray" ? new[] { "plan", arg } : new[] { "plan", arg };
        var error = Assert.Throws<ConfigException>(() => Read(new(), args));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("command", "", "input 'command' is required: set it to plan or apply (with: command: plan)")]
    [InlineData("command", "destroy", "input 'command' must be plan or apply (got 'destroy')")]
    [InlineData("environment", "a:b", "input 'environment' must not contain ':' (got 'a:b')")]
    [InlineData("init", "yes", "input 'init' must be true or false (got 'yes')")]
    [InlineData("terraform-args", "-var 'x=1", "input 'terraform-args': the single quote is never closed; quote arguments as a shell would (-var 'name=a b')")]
    [InlineData("session-duration", "60", "input 'session-duration': session-duration must be between 900 seconds (15m) and 129600 seconds (36h), AWS's limits (got '60')")]
    [InlineData("session-duration", "200000", "input 'session-duration': session-duration must be between 900 seconds (15m) and 129600 seconds (36h), AWS's limits (got '200000')")]
    [InlineData("session-duration", "an hour", "input 'session-duration': session-duration must be seconds (3600) or a duration like 90s, 10m, 1h30m or plain seconds (got 'an hour')")]
    [InlineData("aws-region", "US East", "input 'aws-region' must be an AWS region like us-east-1 or eu-west-2 (got 'US East')")]
    [InlineData("issue-number", "0", "input 'issue-number' must be a pull request or issue number like 42 (got '0')")]
    [InlineData("issue-number", "abc", "input 'issue-number' must be a pull request or issue number like 42 (got 'abc')")]
    [InlineData("terraform-tool", "pulumi", "input 'terraform-tool' must be terraform or opentofu (got 'pulumi')")]
    [InlineData("releases-url", "ftp://mirror", "input 'releases-url' must be an http(s) URL of a mirror in HashiCorp's layout, like https://releases.example.com (got 'ftp://mirror')")]
    [InlineData("releases-url", "https://ci:s3cr3t-token@mirror.example.com", "input 'releases-url' must not carry credentials (user:password@); serve the mirror to the runner without them, for example from inside the network")]
    public void Every_bad_input_is_named_with_what_to_do(string input, string value, string expected)
    {
        var inputs = new Dictionary<string, string> { ["command"] = "plan", [input] = value };
        Assert.Equal(expected, ProblemWith(inputs));
    }

    [Fact]
    public void A_working_directory_that_does_not_exist_is_named()
    {
        var problem = ProblemWith(new() { ["command"] = "plan", ["working-directory"] = "nowhere" });

        Assert.Equal($"input 'working-directory': 'nowhere' does not exist in the workspace {_workspace}; point it at the terraform root module", problem);
    }

    [Fact]
    public void A_session_duration_over_twelve_hours_is_refused_once_a_role_is_known()
    {
        var inputs = Read(new() { ["command"] = "plan", ["session-duration"] = "86400" });

        var error = Assert.Throws<ConfigException>(() => inputs.SessionDuration.EnsureFitsAssumeRole("arn:aws:iam::123456789012:role/deploy"));
        Assert.Equal("input 'session-duration': session-duration 86400 seconds is more than AssumeRole allows (43200 seconds, 12h) for arn:aws:iam::123456789012:role/deploy; lower it, and keep it within the role's maximum session duration", error.Message);
    }

    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("-var \"x=a \\\"b\\\"\"", new[] { "-var", "x=a \"b\"" })]
    [InlineData("-var='x=$HOME'", new[] { "-var=x=$HOME" })]
    [InlineData("a\\ b ''", new[] { "a b", "" })]
    [InlineData("", new string[0])]
    public void Terraform_args_split_like_a_shell(string text, string[] expected) =>
        Assert.Equal(expected, ShellWords.Split(text, out _));
}
