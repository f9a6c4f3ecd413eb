using System.Text;

namespace TfMfa.Aws;

/// <summary>RoleSessionName and SourceIdentity allow 2 to 64 of <c>[\w+=,.@-]</c>; GitHub logins fit, local user names may not.</summary>
public static class SessionNames
{
    public static string SessionName(string login) => Clean("tfmfa-" + login);

    public static string SourceIdentity(string login) => Clean(login);

    private static string Clean(string value)
    {
        var cleaned = new StringBuilder();
        foreach (var c in value)
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '=' or ',' or '.' or '@' or '-' ? c : '-');
        var text = cleaned.ToString();
        if (text.Length > 64) text = text[..64];
        return text.Length < 2 ? text.PadRight(2, '-') : text;
    }
}
