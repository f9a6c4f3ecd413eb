using System.Net;
using System.Text.RegularExpressions;
using Markdig;

namespace TfMfa.Tests.RunLog;

/// <summary>
/// Markdown as a CommonMark + GFM renderer shows it (Markdig, raw HTML passed through as GitHub's
/// renderer does before its sanitiser): the tags it makes and the text a reader sees. GFM's tables
/// and strikethrough, but not its bare-URL autolinks: a bare address shown as a link still shows itself.
/// </summary>
public static partial class RenderedMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras(Markdig.Extensions.EmphasisExtras.EmphasisExtraOptions.Strikethrough).UseTaskLists().Build();

    public static string Html(string markdown) => Markdown.ToHtml(markdown, Pipeline);

    /// <summary>Every tag, in order (<c>p</c>, <c>/p</c>, <c>code</c>...): the document's structure.</summary>
    public static IReadOnlyList<string> Tags(string markdown) => [.. TagPattern().Matches(Html(markdown)).Select(m => m.Groups[1].Value.ToLowerInvariant())];

    /// <summary>What a reader sees: the HTML without its tags, entities decoded.</summary>
    public static string Text(string markdown) => WebUtility.HtmlDecode(TagPattern().Replace(Html(markdown), ""));

    /// <summary>The text inside each code element.</summary>
    public static IReadOnlyList<string> CodeTexts(string markdown) =>
        [.. CodePattern().Matches(Html(markdown)).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    [GeneratedRegex(@"<(/?[a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"<code[^>]*>(.*?)</code>", RegexOptions.Singleline)]
    private static partial Regex CodePattern();
}
