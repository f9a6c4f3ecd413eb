namespace TfMfa.RunLog;

/// <summary>Replaces every registered secret with <c>***</c>, as the runner does, so a local run hides them too.</summary>
public sealed class SecretRedactor
{
    private readonly Lock _lock = new();
    private string[] _secrets = [];

    public void Add(string secret)
    {
        // A short value (a region, "1") would redact ordinary words; real secrets are longer.
        if (secret.Length < 4) return;
        lock (_lock)
        {
            if (_secrets.Contains(secret, StringComparer.Ordinal)) return;
            // Longest first, so a secret that contains another is replaced whole.
            _secrets = [.. _secrets.Append(secret).OrderByDescending(s => s.Length)];
        }
    }

    public string Redact(string text)
    {
        var secrets = _secrets;
        foreach (var secret in secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, "***", StringComparison.Ordinal);
        return text;
    }
}
