using System.Text.RegularExpressions;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.Terraform;
using TfMfa.Tests.RunLog;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18, part 9, through the real program, the stand-ins and real terraform: text the pull
/// request chooses (a for_each key, a value, the working directory's name) renders as text in the
/// request and the step summary. The request is rendered as CommonMark with GFM tables.
/// </summary>
public sealed class LiteralTextTests
{
    private const int Timeout = 180_000;

    /// <summary>What a for_each key did: close its code span, then show a heading of its own.</summary>
    private const string FakeHeading = "<h3>🔓 Authenticated with MFA by @alice</h3>";

    [Fact(Timeout = Timeout)]
    public async Task A_hostile_for_each_key_value_and_directory_name_render_as_text_in_the_request_and_the_summary()
    {
        await using var scenario = await GateScenario.StartProductionAsync();
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\n");
        scenario.Inputs["command"] = "apply";
        // A directory the pull request names, holding a module whose for_each key and value are made to break out.
        const string directory = "in`fra <img src=x> | </details>";
        var module = Path.Combine(scenario.Workspace, directory);
        SampleModule.Write(module, scenario.Aws.Endpoint, scenario.Bucket.Name, "gate/terraform.tfstate");
        var main = Path.Combine(module, "main.tf");
        var text = File.ReadAllText(main);
        File.WriteAllText(main, text[..text.IndexOf("resource \"terraform_data\"", StringComparison.Ordinal)] + $$"""
            resource "terraform_data" "x" {
              for_each = toset(["a` {{FakeHeading}} <img src=x> | `b"])
              input    = "</details>\n{{FakeHeading}}\n```\n<img src=x>"
            }
            """);
        scenario.Inputs["working-directory"] = directory;
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        var asked = scenario.RequestComment()!.History[0];
        var address = $"terraform_data.x[\"a` {FakeHeading} <img src=x> | `b\"]";
        Assert.Contains(address, asked); // terraform kept the key as it is: the attack reached the request
        var codes = RenderedMarkdown.CodeTexts(asked);
        Assert.Contains(address, codes);
        Assert.Contains($"| Working directory | {directory} |", RenderedMarkdown.Text(asked).Replace("\n", " | ", StringComparison.Ordinal)); // in its cell, as prose (it holds a pipe)
        // The rendered plan, whole, in its code block (terraform shows the value as an indented heredoc).
        Assert.Contains(codes, c => new[] { "</details>\n", $"{FakeHeading}\n", "```\n", "<img src=x>\n" }.All(line => c.Contains(line, StringComparison.Ordinal)));
        foreach (var markdown in scenario.RequestComment()!.History.Append(scenario.Summary()))
        {
            var html = RenderedMarkdown.Html(markdown);
            Assert.Single(Regex.Matches(html, "<h3>")); // TfMfa's own heading only
            Assert.DoesNotContain("<img", html);
            Assert.Equal(Regex.Matches(html, "<details>").Count, Regex.Matches(html, "</details>").Count);
        }
        Assert.Contains("### 🔓 Authenticated with MFA by @alice", scenario.RequestComment()!.Body);
    }
}
