namespace TfMfa.Aws;

/// <summary>
/// An AWS key pair, with a session token and expiry when it came from STS. Printing it shows the
/// key id's last four characters and nothing secret (aws-vault's habit).
/// </summary>
public sealed class AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null, DateTimeOffset? expiration = null)
{
    public string AccessKeyId { get; } = accessKeyId;
    public string SecretAccessKey { get; } = secretAccessKey;
    public string? SessionToken { get; } = sessionToken;
    public DateTimeOffset? Expiration { get; } = expiration;

    public bool IsSession => SessionToken is not null;

    /// <summary>The secret parts, for masking in the run log.</summary>
    public IEnumerable<string> Secrets()
    {
        yield return SecretAccessKey;
        if (SessionToken is not null) yield return SessionToken;
    }

    public override string ToString() =>
        $"{(IsSession ? "session" : "long-term")} key {Redacted(AccessKeyId)}{(Expiration is { } e ? $" expiring {e:u}" : "")}";

    public static string Redacted(string accessKeyId) =>
        accessKeyId.Length > 4 ? "****" + accessKeyId[^4..] : "****";
}
