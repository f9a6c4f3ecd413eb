using System.Security.Cryptography;
using OtpNet;

namespace TfMfa.StandIns.Aws;

/// <summary>An IAM user with one long-term access key.</summary>
public sealed class IamUser(string name, string account, string accessKeyId, string secretAccessKey)
{
    public string Name { get; } = name;
    public string Account { get; } = account;
    public string Arn => $"arn:aws:iam::{Account}:user/{Name}";
    public string UserId { get; } = "AIDA" + Ids.Random(16);
    public string AccessKeyId { get; } = accessKeyId;
    public string SecretAccessKey { get; } = secretAccessKey;
    public override string ToString() => Arn;
}

/// <summary>A virtual MFA device: RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as AWS's virtual devices are.</summary>
public sealed class VirtualMfaDevice(string serialNumber, IamUser owner, byte[] secret)
{
    public string SerialNumber { get; } = serialNumber;
    public IamUser Owner { get; } = owner;
    public byte[] Secret { get; } = secret;
    public string Base32Secret => Base32Encoding.ToString(Secret);

    /// <summary>The last time step whose code STS accepted: that code and every older one are spent.</summary>
    internal long LastAcceptedStep { get; set; } = -1;

    /// <summary>The code an authenticator app shows at <paramref name="time"/>.</summary>
    public string CodeAt(DateTimeOffset time) => new Totp(Secret).ComputeTotp(time.UtcDateTime);

    /// <summary>A six-digit code valid in none of the windows STS accepts at <paramref name="time"/>, starting the search at <paramref name="from"/>.</summary>
    public string WrongCodeAt(DateTimeOffset time, int from = 902174)
    {
        var valid = new[] { -30, 0, 30 }.Select(s => CodeAt(time.AddSeconds(s))).ToHashSet();
        var candidate = from;
        while (valid.Contains(candidate.ToString("D6"))) candidate = (candidate + 1) % 1_000_000;
        return candidate.ToString("D6");
    }

    public override string ToString() => SerialNumber;
}

/// <summary>A role whose trust policy names the users it trusts and may require aws:MultiFactorAuthPresent.</summary>
public sealed class IamRole(string name, string account, IReadOnlyList<string> trustedUserArns, bool requireMfa, TimeSpan maxSessionDuration)
{
    public string Name { get; } = name;
    public string Account { get; } = account;
    public string Arn => $"arn:aws:iam::{Account}:role/{Name}";
    public string RoleId { get; } = "AROA" + Ids.Random(17);
    public IReadOnlyList<string> TrustedUserArns { get; } = trustedUserArns;
    public bool RequireMfa { get; } = requireMfa;
    public TimeSpan MaxSessionDuration { get; } = maxSessionDuration;
    public override string ToString() => Arn;
}

/// <summary>Temporary credentials the stand-in issued.</summary>
public sealed class IssuedSession
{
    public required string AccessKeyId { get; init; }
    public required string SecretAccessKey { get; init; }
    public required string SessionToken { get; init; }
    public required DateTimeOffset Expiration { get; init; }
    public required string Arn { get; init; }
    public required string UserId { get; init; }
    public required IamUser BaseUser { get; init; }
    public IamRole? Role { get; init; }
    public bool MfaAuthenticated { get; init; }
    public string? SourceIdentity { get; init; }
    public required string IssuedBy { get; init; }
}

/// <summary>Who signed a request, once the signature checked out.</summary>
public sealed record Caller(string AccessKeyId, string Arn, string UserId, string Account, bool MfaAuthenticated, IamUser User, IssuedSession? Session);

internal static class Ids
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static string Secret(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length);
}
