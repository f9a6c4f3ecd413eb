using System.Text.RegularExpressions;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.StandIns.World;
using TfMfa.Tests.RunLog;

namespace TfMfa.EndToEnd;

/// <summary>
/// Issue 18, part 9, through the real program, the stand-ins and real terraform: text the pull
/// request chooses (a for_each key, a value, the working directory's name) renders as text in the
/// request and the step summary, on GitHub and in the Azure DevOps thread. The request is rendered
/// as CommonMark with GFM tables.
/// </summary>
public sealed class LiteralTextTests
{
    private const int Timeout = 180_000;

    /// <summary>What a for_each key did: close its code span, then show a heading of its own.</summary>
    private const string FakeHeading = "<h3>🔓 Authenticated with MFA by @alice</h3>";

    /// <summary>A directory the pull request names, holding a module whose for_each key and value are made to break out.</summary>
    private const string Directory = "in`fra <img src=x> | </details>";

    private static readonly string Address = $"terraform_data.x[\"a` {FakeHeading} <img src=x> | `b\"]";

    /// <summary>The sample module, its resources replaced by one whose for_each key and value are made to break out.</summary>
    private static void WriteHostileModule(AwsWorld aws, string module)
    {
        aws.WriteModule(module, "gate/terraform.tfstate");
        var main = Path.Combine(module, "main.tf");
        var text = File.ReadAllText(main);
        File.WriteAllText(main, text[..text.IndexOf("resource \"terraform_data\"", StringComparison.Ordinal)] + $$"""
            resource "terraform_data" "x" {
              for_each = toset(["a` {{FakeHeading}} <img src=x> | `b"])
              input    = "</details>\n{{FakeHeading}}\n```\n<img src=x>"
            }
            """);
    }

    /// <summary>The request shows the hostile text literally and adds no element of its own.</summary>
    private static void AssertLiteral(string asked, IEnumerable<string> markdowns)
    {
        Assert.Contains(Address, asked); // terraform kept the key as it is: the attack reached the request
        var codes = RenderedMarkdown.CodeTexts(asked);
        Assert.Contains(Address, codes);
        Assert.Contains($"| Working directory | {Directory} |", RenderedMarkdown.Text(asked).Replace("\n", " | ", StringComparison.Ordinal)); // in its cell, as prose (it holds a pipe)
        // The rendered plan, whole, in its code block (terraform shows the value as an indented heredoc).
        Assert.Contains(codes, c => new[] { "</details>\n", $"{FakeHeading}\n", "```\n", "<img src=x>\n" }.All(line => c.Contains(line, StringComparison.Ordinal)));
        foreach (var markdown in markdowns)
        {
            var html = RenderedMarkdown.Html(markdown);
            // Every heading is one of TfMfa's own "### " lines: none comes from the values.
            Assert.Equal(markdown.Split('\n').Count(line => line.StartsWith("### ", StringComparison.Ordinal)), Regex.Matches(html, "<h3>").Count);
            Assert.DoesNotContain("<img", html);
            Assert.Equal(Regex.Matches(html, "<details>").Count, Regex.Matches(html, "</details>").Count);
        }
    }

    [Theory(Timeout = Timeout)]
    [InlineData(Platform.GitHub)]
    [InlineData(Platform.AzureDevOps)]
    public async Task A_hostile_for_each_key_value_and_directory_name_render_as_text_in_the_request_and_the_summary(Platform platform)
    {
        await using var scenario = await Scenario.StartProductionAsync(platform);
        scenario.WriteConfig("environments:\n  production:\n    level: applies-only\nwait:\n  poll-interval: 1s\n");
        scenario.Inputs["command"] = "apply";
        WriteHostileModule(scenario.AwsWorld, Path.Combine(scenario.Workspace, Directory));
        scenario.Inputs["working-directory"] = Directory;
        scenario.PersonAnswers("alice", $"/mfa {scenario.CurrentCode()}");

        var run = await scenario.RunAsync();

        scenario.AssertSucceeded(run);
        var request = scenario.LatestRequest()!;
        AssertLiteral(request.History[0], request.History.Append(scenario.Summary()));
        Assert.Contains($"### 🔓 Authenticated with MFA by {scenario.Mention("alice")}", request.Text);
    }
}
