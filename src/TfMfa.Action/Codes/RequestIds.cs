using System.Security.Cryptography;

namespace TfMfa.Codes;

/// <summary>
/// A request's short id, so a code can name the request it is for (<c>/mfa abcd 123456</c>) when
/// several wait on one pull request. Four letters without look-alikes (no i, l, o), never digits,
/// so an id can never be read as (part of) a code.
/// <para>
/// Drawn from a cryptographic random source, never derived from what a run's inputs say: ids derived
/// from the run, command, environment and directory collided for matrix jobs, and a crafted
/// working-directory could choose a waiting request's id. The draw is kept in the request's marker,
/// so a request keeps its id through every edit; when a code names an id that another open request
/// has too, neither takes it and the run re-draws its own (see CommentRules).
/// </para>
/// <para>
/// Four letters (23^4 ≈ 280,000 ids) are enough: the id is printed in the request for anyone to
/// read, so its strength was never secrecy but that nobody chooses it. A clash is rare (about one in
/// 280,000 per other open request) and harmless: a copy (a look-alike request posted with the same
/// token identity, or a chance draw) makes an addressed code match two requests, such a code is
/// taken by neither, and the real request draws a new id.
/// A longer id would only be harder to type within a code's 30 seconds.
/// </para>
/// </summary>
public static class RequestIds
{
    private const string Alphabet = "abcdefghjkmnpqrstuvwxyz";
    public const int Length = 4;

    /// <summary>A fresh random id that none of <paramref name="taken"/> is.</summary>
    public static string New(IReadOnlyCollection<string> taken)
    {
        while (true)
        {
            var id = new string([.. Enumerable.Range(0, Length).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)])]);
            if (!taken.Contains(id)) return id;
        }
    }

    public static bool IsId(string text) =>
        text.Length == Length && text.All(c => Alphabet.Contains(char.ToLowerInvariant(c)));
}
