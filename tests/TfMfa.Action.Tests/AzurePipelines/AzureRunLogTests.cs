using TfMfa.AzurePipelines;

namespace TfMfa.Tests.AzurePipelines;

public sealed class AzureRunLogTests : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly string _temp = Directory.CreateTempSubdirectory("tfmfa-azlog-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Lines(AzurePipelinesRunLog log)
    {
        log.Dispose();
        return _out.ToString();
    }

    [Theory]
    [InlineData("50% done", "50%AZP25 done")]
    [InlineData("line one\nline two\r", "line one%0Aline two%0D")]
    public void Messages_are_escaped_as_the_agent_unescapes_them(string message, string escaped) =>
        Assert.Equal($"##vso[task.logissue type=error;]{escaped}", LoggingCommand.Format("task.logissue", message, ("type", "error")));

    [Fact]
    public void Property_values_also_escape_the_characters_that_end_a_property() =>
        Assert.Equal("##vso[task.setvariable variable=a%3Bb%5Dc%AZP25%0A;]v", LoggingCommand.Format("task.setvariable", "v", ("variable", "a;b]c%\n")));

    [Theory]
    [InlineData("##vso[task.setvariable variable=x]pwned")]
    [InlineData("  output: \"##VSO[task.complete result=Succeeded;]\"")]
    [InlineData("##[group]fake")]
    [InlineData("text ##vso[task.setsecret]x and ##vso[task.uploadfile]/etc/passwd")]
    public void Tool_output_cannot_issue_a_logging_command(string line)
    {
        var log = new AzurePipelinesRunLog(_out, null);
        using (log.ToolOutputSection()) log.ToolOutput(line, isError: false);
        var written = Lines(log).TrimEnd('\n');

        Assert.DoesNotContain("##vso[", written, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("##[", written, StringComparison.Ordinal);
        Assert.Equal(line, written.Replace("\u200D", "", StringComparison.Ordinal)); // it still reads the same
    }

    [Fact]
    public void TfMfas_own_prose_quoting_a_comment_is_neutralised_but_its_errors_are_commands()
    {
        var log = new AzurePipelinesRunLog(_out, null);
        log.Info("Ignored a /mfa comment: ##vso[task.complete result=Succeeded;]");
        log.Error("terraform failed");
        var lines = Lines(log).Split('\n');

        Assert.DoesNotContain(lines, l => l.Contains("##vso[task.complete", StringComparison.Ordinal));
        Assert.Contains("##vso[task.logissue type=error;]terraform failed", lines);
    }

    [Fact]
    public void A_secret_is_set_before_it_is_redacted_from_every_line_and_each_line_of_a_multi_line_secret_too()
    {
        var log = new AzurePipelinesRunLog(_out, null);
        log.Mask("first-line-secret\nsecond-line-secret");
        log.ToolOutput("token second-line-secret here", false);
        var lines = Lines(log).Split('\n');

        Assert.Equal("##vso[task.setsecret]first-line-secret%0Asecond-line-secret", lines[0]);
        Assert.Equal(["##vso[task.setsecret]first-line-secret", "##vso[task.setsecret]second-line-secret"], lines[1..3]);
        Assert.Contains("token *** here", lines);
    }

    [Fact]
    public void A_code_is_redacted_but_never_given_to_the_agent_as_a_secret()
    {
        var log = new AzurePipelinesRunLog(_out, null);
        log.MaskCode("123456");
        log.Info("echo 123456");
        var text = Lines(log);

        Assert.DoesNotContain("setsecret", text);
        Assert.Contains("echo ***", text);
    }

    [Fact]
    public void Outputs_are_output_variables_named_in_camel_case_and_the_summary_is_attached_at_the_end()
    {
        var log = new AzurePipelinesRunLog(_out, _temp);
        log.SetOutput("authenticated-by", "alice@contoso.com");
        log.AppendSummary("### 🔓 Authenticated");
        Assert.DoesNotContain("uploadsummary", _out.ToString());
        var lines = Lines(log).Split('\n');

        Assert.Contains("##vso[task.setvariable variable=authenticatedBy;isoutput=true;]alice@contoso.com", lines);
        var summary = Assert.Single(Directory.GetFiles(_temp));
        Assert.Contains($"##vso[task.uploadsummary]{summary}", lines);
        Assert.Equal("### 🔓 Authenticated\n", File.ReadAllText(summary));
    }
}
