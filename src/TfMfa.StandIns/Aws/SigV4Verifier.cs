using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace TfMfa.StandIns.Aws;

/// <summary>
/// Checks AWS Signature Version 4 (header form) the way AWS does: rebuilds the canonical request,
/// derives the signing key from the secret the stand-in knows for that key id, compares, and
/// checks the clock skew, the session token and the payload hash.
/// </summary>
public static partial class SigV4Verifier
{
    public sealed record SignedRequest(string AccessKeyId, string Date, string Region, string Service, string Signature, string[] SignedHeaders);

    [GeneratedRegex(@"^AWS4-HMAC-SHA256\s+Credential=(?<key>[^/,\s]+)/(?<date>\d{8})/(?<region>[^/]+)/(?<service>[^/]+)/aws4_request\s*,\s*SignedHeaders=(?<headers>[^,\s]+)\s*,\s*Signature=(?<sig>[0-9a-f]{64})\s*$")]
    private static partial Regex AuthorizationPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    /// <summary>Parses the Authorization header, or null when the request is not SigV4-signed.</summary>
    public static SignedRequest? Parse(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var match = AuthorizationPattern().Match(header);
        if (!match.Success) return null;
        return new SignedRequest(match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value,
            match.Groups["service"].Value, match.Groups["sig"].Value, match.Groups["headers"].Value.Split(';'));
    }

    /// <summary>Throws an <see cref="AwsError"/> with the service's own code and message when the signature does not hold.</summary>
    public static void Verify(HttpContext context, SignedRequest signed, string secretAccessKey, byte[] body, DateTimeOffset now, bool s3)
    {
        var request = context.Request;
        var amzDate = request.Headers["x-amz-date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            throw s3
                ? new AwsError(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
                : new AwsError(400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        if ((now - signedAt).Duration() > MaxSkew)
            throw s3
                ? new AwsError(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
                : new AwsError(400, "SignatureDoesNotMatch", $"Signature expired: {amzDate} is now earlier than {now.UtcDateTime.AddMinutes(-15):yyyyMMdd'T'HHmmss'Z'} ({now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'} - 15 min.)");
        if (!amzDate.StartsWith(signed.Date, StringComparison.Ordinal))
            throw new AwsError(403, "SignatureDoesNotMatch", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");

        var declaredHash = request.Headers["x-amz-content-sha256"].ToString();
        var payloadHash = declaredHash.Length > 0 ? declaredHash : Hex(SHA256.HashData(body));
        if (declaredHash.Length > 0 && declaredHash != UnsignedPayload && !declaredHash.StartsWith("STREAMING-", StringComparison.Ordinal)
            && !string.Equals(declaredHash, Hex(SHA256.HashData(body)), StringComparison.OrdinalIgnoreCase))
            throw new AwsError(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");

        var canonicalRequest = string.Join('\n',
            request.Method,
            CanonicalUri(context, s3),
            CanonicalQuery(request.QueryString.Value ?? ""),
            string.Concat(signed.SignedHeaders.Select(h => $"{h}:{CanonicalHeaderValue(request, h)}\n")),
            string.Join(';', signed.SignedHeaders),
            payloadHash);

        var scope = $"{signed.Date}/{signed.Region}/{signed.Service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = SigningKey(secretAccessKey, signed.Date, signed.Region, signed.Service);
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signed.Signature)))
            throw s3
                ? new AwsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
                : new AwsError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }

    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(kService, "aws4_request"u8.ToArray());
    }

    /// <summary>S3 signs the path as sent; other services sign it URI-encoded once more.</summary>
    private static string CanonicalUri(HttpContext context, bool s3)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var path = raw.Split('?', 2)[0];
        if (path.Length == 0) path = "/";
        return s3 ? path : string.Join('/', path.Split('/').Select(UriEncode));
    }

    private static string CanonicalQuery(string query)
    {
        if (query.StartsWith('?')) query = query[1..];
        if (query.Length == 0) return "";
        return string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(p => (Key: UriEncode(Uri.UnescapeDataString(p[0])), Value: UriEncode(p.Length > 1 ? Uri.UnescapeDataString(p[1]) : "")))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
    }

    private static string CanonicalHeaderValue(HttpRequest request, string name)
    {
        var values = name == "host" ? [request.Host.Value ?? ""] : request.Headers[name].Select(v => v ?? "").ToArray();
        return string.Join(',', values.Select(v => Spaces().Replace(v.Trim(), " ")));
    }

    /// <summary>SigV4's encoding: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded, upper-case hex.</summary>
    public static string UriEncode(string value)
    {
        var encoded = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~') encoded.Append(c);
            else encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
