using System.Text;

namespace TfMfa.RunLog;

/// <summary>Replaces every registered secret with <c>***</c>, as the runner does, so a local run hides them too.</summary>
public sealed class SecretRedactor
{
    private const int NotFound = int.MaxValue;
    private static ReadOnlySpan<byte> Stars => "***"u8;

    private readonly Lock _lock = new();
    private string[] _secrets = [];
    private byte[][] _utf8Secrets = [];

    /// <summary>The UTF-8 length of the longest secret: how much of a cut line must wait for what follows.</summary>
    public int LongestSecretBytes { get; private set; }

    public void Add(string secret)
    {
        // A short value (a region, "1") would redact ordinary words; real secrets are longer.
        if (secret.Length < 4) return;
        lock (_lock)
        {
            if (_secrets.Contains(secret, StringComparer.Ordinal)) return;
            // Longest first, so a secret that contains another is replaced whole.
            _secrets = [.. _secrets.Append(secret).OrderByDescending(s => s.Length)];
            var utf8 = Encoding.UTF8.GetBytes(secret);
            LongestSecretBytes = Math.Max(LongestSecretBytes, utf8.Length);
            _utf8Secrets = [.. _utf8Secrets, utf8];
        }
    }

    public string Redact(string text)
    {
        var secrets = _secrets;
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text;
    }

    /// <summary>
    /// Copies <paramref name="text"/> (UTF-8) into <paramref name="output"/> with every stretch that secrets
    /// cover (overlapping ones together, so no part of any is left) replaced by <c>***</c>. Allocates
    /// nothing: with no secret in the text it is one vectorised search per secret and a copy. Stops at
    /// <paramref name="emitUpTo"/>, but a secret that starts before it is taken whole;
    /// <paramref name="consumed"/> says how much of the text the bytes written stand for.
    /// <paramref name="output"/> needs room for <paramref name="text"/>: <c>***</c> is shorter than any secret.
    /// </summary>
    public int Redact(ReadOnlySpan<byte> text, int emitUpTo, Span<byte> output, out int consumed)
    {
        var secrets = _utf8Secrets;
        Span<int> next = secrets.Length <= 64 ? stackalloc int[secrets.Length] : new int[secrets.Length];
        for (var i = 0; i < secrets.Length; i++) next[i] = IndexFrom(text, secrets[i], 0);

        int position = 0, written = 0;
        while (Min(next) is var start && start < emitUpTo)
        {
            // Grow the stretch over every occurrence that starts inside it, of any secret.
            var end = start + 1;
            for (var grew = true; grew;)
            {
                grew = false;
                for (var i = 0; i < secrets.Length; i++)
                    while (next[i] < end)
                    {
                        if (next[i] + secrets[i].Length > end) (end, grew) = (next[i] + secrets[i].Length, true);
                        next[i] = IndexFrom(text, secrets[i], next[i] + 1);
                    }
            }
            text[position..start].CopyTo(output[written..]);
            written += start - position;
            Stars.CopyTo(output[written..]);
            written += Stars.Length;
            position = end;
        }
        consumed = Math.Max(position, emitUpTo);
        text[position..consumed].CopyTo(output[written..]);
        return written + consumed - position;
    }

    private static int IndexFrom(ReadOnlySpan<byte> text, byte[] secret, int from)
    {
        if (from > text.Length - secret.Length) return NotFound;
        var at = text[from..].IndexOf(secret);
        return at < 0 ? NotFound : from + at;
    }

    private static int Min(ReadOnlySpan<int> values)
    {
        var min = NotFound;
        foreach (var value in values) min = Math.Min(min, value);
        return min;
    }
}
