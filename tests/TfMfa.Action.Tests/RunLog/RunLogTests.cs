using TfMfa.Terminal;
using TfMfa.GitHub;
using TfMfa.StandIns.Runner;
using TfMfa.RunLog;

namespace TfMfa.Tests.RunLog;

public sealed class RunLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tfmfa-runlog-").FullName;
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string OutputFile => Path.Combine(_directory, "output");
    private string SummaryFile => Path.Combine(_directory, "summary");
    private GitHubRunLog GitHub() => new(_stdout, _stderr, OutputFile, SummaryFile);

    [Theory]
    [InlineData("100% done", "100%25 done")]
    [InlineData("line one\nline two\r\n", "line one%0Aline two%0D%0A")]
    [InlineData("a:b,c", "a:b,c")]
    public void Messages_are_escaped_as_the_toolkit_does(string message, string expected) =>
        Assert.Equal(expected, WorkflowCommand.EscapeData(message));

    [Fact]
    public void Properties_also_escape_colons_and_commas() =>
        Assert.Equal("::error title=a%3Ab%2Cc::msg", WorkflowCommand.Format("error", "msg", new Dictionary<string, string> { ["title"] = "a:b,c" }));

    [Fact]
    public void A_masked_secret_is_announced_once_and_redacted_everywhere_after()
    {
        var log = GitHub();

        log.Mask("s3cr3t-value");
        log.Info("the key is s3cr3t-value");
        log.Error("failed with s3cr3t-value");
        log.ToolOutput("terraform printed s3cr3t-value", isError: true);
        log.SetOutput("leak", "s3cr3t-value");
        log.AppendSummary("| s3cr3t-value |");

        var lines = _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("::add-mask::s3cr3t-value", lines[0]);
        // terraform's stderr shares stdout with the stop-commands fence on a runner (see ToolOutput).
        Assert.Equal(["the key is ***", "::error::failed with ***", "terraform printed ***"], lines[1..]);
        Assert.Equal("", _stderr.ToString());
        Assert.DoesNotContain("s3cr3t-value", File.ReadAllText(OutputFile));
        Assert.DoesNotContain("s3cr3t-value", File.ReadAllText(SummaryFile));
    }

    [Fact]
    public void Tool_output_inside_a_section_cannot_issue_commands_but_tfmfas_own_lines_still_do()
    {
        var log = GitHub();

        using (log.ToolOutputSection())
        {
            log.ToolOutput("::stop-commands::x", isError: false);
            log.ToolOutput("   ::error::forged by the tool", isError: true);
            log.Mask("late-secret-value");
            log.ToolOutput("::add-mask::forged", isError: false);
            log.Error("tfmfa's own error inside the section");
            log.ToolOutput("::x::", isError: false);
            log.ToolOutput("::warning::forged again", isError: false);
        }
        log.Error("tfmfa's own error after the section");

        var honoured = RunnerCommandReader.Honoured(_stdout.ToString());
        Assert.Equal(
            [("add-mask", "late-secret-value"), ("error", "tfmfa's own error inside the section"), ("error", "tfmfa's own error after the section")],
            honoured.Select(c => (c.Name, c.Data)));
        Assert.Contains("   ::error::forged by the tool", _stdout.ToString()); // still shown, just inert
    }

    [Fact]
    public void A_secret_met_under_two_names_is_announced_once()
    {
        var log = GitHub();

        log.Mask("ghs_token_value");
        log.Mask("ghs_token_value");

        Assert.Equal(["::add-mask::ghs_token_value"], _stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_secret_containing_another_is_redacted_whole()
    {
        var log = GitHub();
        log.Mask("abcd");
        log.Mask("xxabcdxx");

        log.Info("xxabcdxx and abcd");

        Assert.EndsWith("*** and ***" + Environment.NewLine, _stdout.ToString());
    }

    [Fact]
    public void Outputs_use_a_random_heredoc_delimiter_so_multi_line_values_survive()
    {
        var log = GitHub();

        log.SetOutput("exit-code", "0");
        log.SetOutput("notes", "a\nb");

        var lines = File.ReadAllLines(OutputFile);
        Assert.Matches("^exit-code<<ghadelimiter_[0-9a-f-]{36}$", lines[0]);
        Assert.Equal("0", lines[1]);
        Assert.Equal(lines[0].Split("<<")[1], lines[2]);
        Assert.Equal(["a", "b"], lines[4..6]);
        Assert.NotEqual(lines[0].Split("<<")[1], lines[3].Split("<<")[1]);
    }

    [Fact]
    public void Without_runner_files_outputs_and_summary_are_skipped()
    {
        var log = new GitHubRunLog(_stdout, _stderr, null, null);
        log.SetOutput("exit-code", "0");
        log.AppendSummary("x");
        Assert.Equal("", _stdout.ToString());
    }

    [Fact]
    public void Groups_open_and_close_once()
    {
        var log = GitHub();
        var group = log.Group("terraform init");
        group.Dispose();
        group.Dispose();

        Assert.Equal($"::group::terraform init{Environment.NewLine}::endgroup::{Environment.NewLine}", _stdout.ToString());
    }

    [Fact]
    public void The_terminal_log_never_echoes_a_secret_even_when_masking_it()
    {
        var log = new TerminalRunLog(_stdout, _stderr);

        log.Mask("s3cr3t-value");
        log.Info("using s3cr3t-value");
        log.Error("s3cr3t-value failed");

        Assert.Equal("using ***" + Environment.NewLine, _stdout.ToString());
        Assert.Equal("error: *** failed" + Environment.NewLine, _stderr.ToString());
    }

    [Fact]
    public void Short_values_are_not_treated_as_secrets_to_redact()
    {
        var redactor = new SecretRedactor();
        redactor.Add("1");
        Assert.Equal("exit 1", redactor.Redact("exit 1"));
    }
}
