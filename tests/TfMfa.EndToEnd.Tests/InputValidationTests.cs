using TfMfa.EndToEnd.Infrastructure;

namespace TfMfa.EndToEnd;

/// <summary>
/// A malformed input, a missing or malformed AWS variable, keys AWS would refuse: each stops the run,
/// naming what to fix, before anyone is asked for a code or anything is sent. Through the real program.
/// </summary>
public sealed class InputValidationTests
{
    private const int Timeout = 180_000;

    [Theory(Timeout = Timeout)]
    [InlineData("command", "destroy", "input 'command' must be plan or apply (got 'destroy')")]
    [InlineData("environment", "a:b", "input 'environment' must not contain ':'")]
    [InlineData("working-directory", "missing", "input 'working-directory': 'missing' does not exist in the workspace")]
    [InlineData("timeout", "forever", "input 'timeout': timeout must be a duration like 90s, 10m, 1h30m or plain seconds (got 'forever')")]
    [InlineData("timeout", "48h", "input 'timeout': timeout must be between 1s and 24h (got '48h')")]
    [InlineData("init", "maybe", "input 'init' must be true or false (got 'maybe')")]
    [InlineData("terraform-args", "-var \"a=b", "input 'terraform-args': the double quote is never closed")]
    [InlineData("role-to-assume", "deploy", "input 'role-to-assume': role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy (got 'deploy')")]
    [InlineData("session-duration", "10", "input 'session-duration': session-duration must be between 900 seconds (15m) and 129600 seconds (36h)")]
    [InlineData("aws-region", "mars-1", "input 'aws-region' must be an AWS region like us-east-1 or eu-west-2 (got 'mars-1')")]
    [InlineData("issue-number", "-4", "input 'issue-number' must be a pull request or issue number like 42 (got '-4')")]
    [InlineData("config", ".github", "input 'config': '.github' is a directory; point it at the YAML file")]
    public async Task A_malformed_input_stops_the_run_naming_it_before_anything_is_sent(string input, string value, string expected)
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Inputs[input] = value;

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::" + expected, run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        SecretScan.AssertNoSecrets(scenario, [run]);
    }

    [Theory(Timeout = Timeout)]
    [InlineData("AWS_MFA_SERIAL_NUMBER", "", "AWS_MFA_SERIAL_NUMBER must be set when MFA is required")]
    [InlineData("AWS_MFA_SERIAL_NUMBER", "short", "AWS_MFA_SERIAL_NUMBER must be an MFA device ARN")]
    [InlineData("AWS_SECRET_ACCESS_KEY", "", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set when MFA is required")]
    [InlineData("AWS_ENDPOINT_URL_STS", "ftp://sts", "AWS_ENDPOINT_URL_STS must be an http(s) URL")]
    public async Task A_missing_or_malformed_aws_variable_is_named_before_anyone_is_asked_for_a_code(string variable, string value, string expected)
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Variables[variable] = value;

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::" + expected, run.StandardOutput);
        Assert.Empty(scenario.Aws.Requests);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
    }

    [Fact(Timeout = Timeout)]
    public async Task Keys_aws_would_refuse_stop_the_run_before_anyone_is_asked_for_a_code()
    {
        await using var scenario = await GateScenario.StartAsync();
        scenario.WriteConfig("default-level: plans-and-applies\n");
        scenario.Variables["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-of-this-key-0123456789abc";

        var run = await scenario.RunAsync();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("::error::AWS_SECRET_ACCESS_KEY does not belong to AWS_ACCESS_KEY_ID", run.StandardOutput);
        Assert.Contains("(AWS error: SignatureDoesNotMatch, HTTP 403)", run.StandardOutput);
        Assert.Empty(scenario.GitHub.CommentsOn(GateScenario.PullRequest));
        Assert.Empty(scenario.CodesSentToSts);
        Assert.DoesNotContain("not-the-secret-of-this-key", string.Join("\n", run.LinesOutsideMasks));
    }
}
