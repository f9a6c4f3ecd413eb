using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using TfMfa.RunLog;

namespace TfMfa.Tests.RunLog;

/// <summary>
/// Whatever a value holds, each form keeps it literal: rendered, the document has the same tags as
/// with a harmless value of the same shape, and the reader sees the value itself.
/// </summary>
public sealed class MarkdownTextTests
{
    public static readonly TheoryData<string> Hostile =
    [
        "a`b",
        "``x``",
        "` <h3>🔓 Authenticated with MFA by @alice</h3> `",
        "x` <h3>🔓 Authenticated with MFA by @alice</h3> `y",
        "terraform_data.x[\"a`</details><img src=x onerror=alert(1)>\"]",
        "</details><details open><summary>fake</summary>",
        "a | b | c",
        "a\\|b` | `c",
        "\\",
        "**bold** _em_ ~~gone~~ [link](https://evil.example) ![img](https://evil.example/x.png)",
        "<https://evil.example> &lt;not a tag&gt; &amp;",
        "# heading",
        "1. list",
        "- item",
        "> quote",
        "---",
        "===",
        " spaced ",
        "```",
        "~~~",
        "    indented",
        "<!-- comment",
    ];

    public static readonly TheoryData<string> MultiLine =
    [
        "line one\n# Heading\n<img src=x>",
        "a`b\n</details>\n\n<h3>🔓 Authenticated with MFA by @alice</h3>",
        "first\r\n---\r\nsecond",
        "x\n```\n<b>out</b>\n```",
        "plain\n    indented code\n| a | b |\n|---|---|",
    ];

    /// <summary>A harmless value of the same shape: every character an x, line breaks kept.</summary>
    private static string Harmless(string value) => Regex.Replace(value, "[^\r\n]", "x");

    private static string OneLine(string value) => value.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\n', MarkdownText.LineBreakSymbol);

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(MultiLine))]
    public void A_code_span_in_prose_shows_the_value_and_nothing_else(string value)
    {
        static string Document(string v) => $"- {MarkdownText.Code(v)}: create\n";

        Assert.Equal(RenderedMarkdown.Tags(Document(Harmless(value))), RenderedMarkdown.Tags(Document(value)));
        Assert.Equal([OneLine(value)], RenderedMarkdown.CodeTexts(Document(value)));
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(MultiLine))]
    public void A_value_in_a_table_cell_stays_in_its_cell(string value)
    {
        static string Document(string cell) => $"| The code unlocks | |\n|---|---|\n| Working directory | {cell} |\n| Session | 1h |\n";
        var hasPipe = value.Contains('|', StringComparison.Ordinal);

        var rendered = Document(MarkdownText.CodeInCell(value));

        var harmless = hasPipe ? MarkdownText.Text(Harmless(value)) : MarkdownText.Code(Harmless(value)); // a value with a pipe is prose, not code
        Assert.Equal(RenderedMarkdown.Tags(Document(harmless)), RenderedMarkdown.Tags(rendered));
        Assert.Contains(hasPipe ? Flat(value).Trim() : OneLine(value), RenderedMarkdown.Text(rendered));
    }

    private static string Flat(string value) => value.Replace("\r\n", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(MultiLine))]
    public void Prose_shows_the_value_at_the_start_of_a_paragraph_or_in_a_quote(string value)
    {
        foreach (var document in new Func<string, string>[] { v => $"{MarkdownText.Text(v)}\n\nRe-run.\n", v => $"> 🔴 {MarkdownText.Text(v)}\n> 2 attempts left.\n" })
        {
            Assert.Equal(RenderedMarkdown.Tags(document(Harmless(value))), RenderedMarkdown.Tags(document(value)));
            Assert.Contains(Flat(value).Trim(), RenderedMarkdown.Text(document(value)));
        }
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    [MemberData(nameof(MultiLine))]
    public void A_code_block_inside_details_holds_the_whole_text(string value)
    {
        static string Document(string v) => $"<details><summary>The plan as terraform shows it</summary>\n\n{MarkdownText.CodeBlock(v)}\n</details>\n\nAfter.\n";

        Assert.Equal(RenderedMarkdown.Tags(Document(Harmless(value))), RenderedMarkdown.Tags(Document(value)));
        Assert.Equal([value.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n"], RenderedMarkdown.CodeTexts(Document(value)));
    }

    [Theory]
    [InlineData("a\u202Eevil", "a\uFFFDevil")] // a right-to-left override would reverse what follows
    [InlineData("zero\u200Bwidth", "zero\uFFFDwidth")]
    [InlineData("bell\u0007", "bell\uFFFD")]
    [InlineData("tab\there", "tab here")]
    [InlineData("cr\rlf", "cr\u2424lf")]
    public void Invisible_and_control_characters_become_visible(string value, string shown)
    {
        Assert.Equal([shown], RenderedMarkdown.CodeTexts(MarkdownText.Code(value)));
    }

    [Theory]
    [InlineData("x", "`x`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("`a", "`` `a ``")]
    [InlineData("a``b```c", "````a``b```c````")]
    [InlineData(" a ", "`  a  `")]
    [InlineData("", "` `")]
    [InlineData("alice_acme", "`alice_acme`")]
    public void A_code_spans_fence_is_longer_than_any_backtick_run_in_the_value(string value, string span)
    {
        Assert.Equal(span, MarkdownText.Code(value));
    }

    [Theory]
    [InlineData("alice_acme", "alice_acme")]
    [InlineData("AWS_MFA_SERIAL_NUMBER is not set", "AWS_MFA_SERIAL_NUMBER is not set")]
    [InlineData("_em_", "\\_em\\_")]
    [InlineData("<img>", "&lt;img&gt;")]
    [InlineData("a\nb", "a<br>b")]
    [InlineData("# x", "\\# x")]
    [InlineData("12. x", "12\\. x")]
    [InlineData("3)", "3\\)")]
    [InlineData("1.11.4", "1.11.4")]
    [InlineData("a | b", "a \\| b")]
    public void Prose_escapes_only_what_markdown_would_read(string value, string text)
    {
        Assert.Equal(text, MarkdownText.Text(value));
    }

    [Theory]
    [InlineData("https://github.com/o/r/commit/0f3c9a1", "[x](https://github.com/o/r/commit/0f3c9a1)")]
    [InlineData("https://e.example/a b)(<x>`", "[x](https://e.example/a%20b%29%28%3Cx%3E%60)")]
    [InlineData("javascript:alert(1)", "x")]
    [InlineData(null, "x")]
    public void A_link_goes_only_to_an_http_address_that_cannot_break_out(string? url, string link)
    {
        Assert.Equal(link, MarkdownText.Link("x", url));
    }

    /// <summary>Strings made of what markdown reads: backticks, brackets, HTML, pipes, escapes, line starts.</summary>
    private static Gen<string> MarkdownLike() =>
        from parts in Gen.NonEmptyListOf(Gen.Elements("`", "``", "<", ">", "&", "&lt;", "|", "\\", "*", "_", "~", "[", "]", "(", ")", "!", "#", "-", "+", "=", "1.", "\n",
            " ", "    ", "x", "a_b", "</details>", "<img src=x>", "<h3>", "<!--", "-->", "http://e.example", "@alice", "\u202e"))
        select string.Concat(parts);

    [Fact]
    public void Whatever_a_value_holds_each_form_keeps_the_documents_structure_and_shows_the_value()
    {
        Prop.ForAll(Arb.From(MarkdownLike()), value =>
        {
            var visible = value.Replace('\n', MarkdownText.LineBreakSymbol).Replace('\u202e', MarkdownText.HiddenSymbol);
            string InList(string v) => $"- {MarkdownText.Code(v)}: create\n";
            Assert.Equal(RenderedMarkdown.Tags(InList(Harmless(value))), RenderedMarkdown.Tags(InList(value)));
            Assert.Equal([visible], RenderedMarkdown.CodeTexts(InList(value)));

            string InBlock(string v) => $"<details><summary>s</summary>\n\n{MarkdownText.CodeBlock(v)}\n</details>\n";
            Assert.Equal(RenderedMarkdown.Tags(InBlock(Harmless(value))), RenderedMarkdown.Tags(InBlock(value)));

            static string InTable(string cell) => $"| The code unlocks | |\n|---|---|\n| Working directory | {cell} |\n";
            var harmlessCell = value.Contains('|', StringComparison.Ordinal) ? MarkdownText.Text(Harmless(value)) : MarkdownText.Code(Harmless(value));
            Assert.Equal(RenderedMarkdown.Tags(InTable(harmlessCell)), RenderedMarkdown.Tags(InTable(MarkdownText.CodeInCell(value))));

            string InQuote(string v) => $"> 🔴 {MarkdownText.Text(v)}\n> 2 attempts left.\n";
            Assert.Equal(RenderedMarkdown.Tags(InQuote(Harmless(value))), RenderedMarkdown.Tags(InQuote(value)));
        }).Check(FsCheck.Config.QuickThrowOnFailure.WithMaxTest(2000));
    }
}
