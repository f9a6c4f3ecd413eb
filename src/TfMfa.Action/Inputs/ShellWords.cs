using System.Text;

namespace TfMfa.Inputs;

/// <summary>Splits a string into words the way a POSIX shell does (quotes and backslashes), without expanding anything.</summary>
public static class ShellWords
{
    /// <returns>The words, or null with <paramref name="error"/> set when a quote is left open.</returns>
    public static IReadOnlyList<string>? Split(string text, out string? error)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        char? quote = null;
        error = null;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote == '\'')
            {
                if (c == '\'') quote = null; else current.Append(c);
                continue;
            }
            if (quote == '"')
            {
                if (c == '"') quote = null;
                else if (c == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`') current.Append(text[++i]);
                else current.Append(c);
                continue;
            }
            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    inWord = true;
                    break;
                case '\\' when i + 1 < text.Length:
                    var next = text[++i];
                    if (next != '\n') { current.Append(next); inWord = true; }
                    break;
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) { words.Add(current.ToString()); current.Clear(); inWord = false; }
                    break;
                default:
                    current.Append(c);
                    inWord = true;
                    break;
            }
        }

        if (quote is not null)
        {
            error = $"the {(quote == '"' ? "double" : "single")} quote is never closed";
            return null;
        }
        if (inWord) words.Add(current.ToString());
        return words;
    }
}
