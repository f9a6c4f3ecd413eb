using TfMfa.Aws;
using TfMfa.Terraform;

namespace TfMfa.Tests.Terraform;

public sealed class TerraformEnvironmentTests
{
    private static readonly Dictionary<string, string> Ambient = new()
    {
        ["PATH"] = "/usr/bin",
        ["AWS_ACCESS_KEY_ID"] = "AKIALONGTERM0000000",
        ["AWS_SECRET_ACCESS_KEY"] = "long-term-secret",
        ["AWS_SESSION_TOKEN"] = "stale-token",
        ["AWS_PROFILE"] = "dev",
        ["AWS_MFA_SERIAL_NUMBER"] = "arn:aws:iam::123456789012:mfa/ci",
        ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/tmp/token",
        ["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000",
        ["AWS_RETRY_MODE"] = "adaptive",
        ["INPUT_GITHUB-TOKEN"] = "ghs_token",
        ["INPUT_COMMAND"] = "plan",
    };

    [Fact]
    public void With_new_credentials_every_ambient_credential_is_removed_and_the_new_ones_set()
    {
        var session = new AwsCredentials("ASIASESSION00000000", "session-secret", "session-token");

        var child = TerraformEnvironment.Apply(Ambient, TerraformEnvironment.Changes(Ambient, session, "eu-west-2"));

        Assert.Equal("ASIASESSION00000000", child["AWS_ACCESS_KEY_ID"]);
        Assert.Equal("session-secret", child["AWS_SECRET_ACCESS_KEY"]);
        Assert.Equal("session-token", child["AWS_SESSION_TOKEN"]);
        Assert.Equal("eu-west-2", child["AWS_REGION"]);
        Assert.Equal("eu-west-2", child["AWS_DEFAULT_REGION"]);
        Assert.Equal("1", child["TF_IN_AUTOMATION"]);
        foreach (var gone in new[] { "AWS_PROFILE", "AWS_MFA_SERIAL_NUMBER", "AWS_WEB_IDENTITY_TOKEN_FILE", "INPUT_GITHUB-TOKEN", "INPUT_COMMAND" })
            Assert.False(child.ContainsKey(gone), gone);
        Assert.Equal("http://127.0.0.1:9000", child["AWS_ENDPOINT_URL_S3"]);
        Assert.Equal("adaptive", child["AWS_RETRY_MODE"]);
        Assert.Equal("/usr/bin", child["PATH"]);
    }

    [Fact]
    public void Long_term_credentials_without_a_session_token_clear_a_stale_one()
    {
        var child = TerraformEnvironment.Apply(Ambient, TerraformEnvironment.Changes(Ambient, new AwsCredentials("AKIAOTHER0000000000", "other"), "us-east-1"));

        Assert.False(child.ContainsKey("AWS_SESSION_TOKEN"));
    }

    [Fact]
    public void Without_new_credentials_the_keys_pass_through_as_given_but_the_serial_and_inputs_do_not()
    {
        var child = TerraformEnvironment.Apply(Ambient, TerraformEnvironment.Changes(Ambient, null, "us-east-1"));

        Assert.Equal("AKIALONGTERM0000000", child["AWS_ACCESS_KEY_ID"]);
        Assert.Equal("stale-token", child["AWS_SESSION_TOKEN"]);
        Assert.False(child.ContainsKey("AWS_MFA_SERIAL_NUMBER"));
        Assert.False(child.ContainsKey("INPUT_GITHUB-TOKEN"));
    }

    [Fact]
    public void Plan_runs_init_then_plan_with_out_and_extra_args()
    {
        var commands = TerraformCommandLine.For(TerraformCommand.Plan, init: true, "tfplan", ["-var", "a=b"]);

        Assert.Equal([["init", "-input=false"], ["plan", "-input=false", "-out=tfplan", "-var", "a=b"]], commands);
    }

    [Fact]
    public void Apply_auto_approves_and_puts_the_saved_plan_last()
    {
        var commands = TerraformCommandLine.For(TerraformCommand.Apply, init: false, "tfplan", ["-parallelism=2"]);

        Assert.Equal([["apply", "-input=false", "-auto-approve", "-parallelism=2", "tfplan"]], commands);
    }
}
