namespace TfMfa.Codes;

/// <summary>
/// A request's short id, so a code can name the request it is for (<c>/mfa abcd 123456</c>) when
/// several wait on one pull request. Four letters without look-alikes (no i, l, o), never digits,
/// so an id can never be read as (part of) a code. Derived from what makes a request unique
/// (run, attempt, command, environment, directory): the same request keeps its id when it is
/// edited, and two requests of one run differ.
/// </summary>
public static class RequestIds
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz";
    public const int Length = 4;

    public static string For(params string[] parts)
    {
        // FNV-1a: ids need to differ, not to be secret (a SHA would load OpenSSL for four letters).
        var hash = 14695981039346656037UL;
        foreach (var c in string.Join("\u001f", parts))
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        var id = new char[Length];
        for (var i = 0; i < Length; i++)
        {
            id[i] = Alphabet[(int)(hash % (ulong)Alphabet.Length)];
            hash /= (ulong)Alphabet.Length;
        }
        return new string(id);
    }

    public static bool IsId(string text) =>
        text.Length == Length && text.All(c => Alphabet.Contains(char.ToLowerInvariant(c)));
}
