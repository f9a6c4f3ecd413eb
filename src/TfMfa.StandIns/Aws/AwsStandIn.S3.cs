using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace TfMfa.StandIns.Aws;

/// <summary>A bucket; with <see cref="RequireMfaForWrites"/> it behaves as if its policy denied writes without aws:MultiFactorAuthPresent.</summary>
public sealed class S3Bucket(string name, bool requireMfaForWrites)
{
    public string Name { get; } = name;
    public bool RequireMfaForWrites { get; } = requireMfaForWrites;
    internal ConcurrentDictionary<string, S3Object> Objects { get; } = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Keys => [.. Objects.Keys.Order(StringComparer.Ordinal)];

    public byte[]? Read(string key) => Objects.TryGetValue(key, out var o) ? o.Data : null;
}

internal sealed record S3Object(byte[] Data, string ETag, DateTimeOffset LastModified, string ContentType, IReadOnlyDictionary<string, string> Checksums);

public sealed partial class AwsStandIn
{
    private static readonly XNamespace S3Ns = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly ConcurrentDictionary<string, S3Bucket> _buckets = new(StringComparer.Ordinal);

    public S3Bucket AddBucket(string name, bool requireMfaForWrites = false) =>
        _buckets.GetOrAdd(name, _ => new S3Bucket(name, requireMfaForWrites));

    private async Task HandleS3Async(HttpContext context, SigV4Verifier.SignedRequest? signed, byte[] body, string requestId, PendingRecord record)
    {
        var request = context.Request;
        var rawPath = (context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/").Split('?', 2)[0];
        var parts = rawPath.TrimStart('/').Split('/', 2);
        var bucketName = Uri.UnescapeDataString(parts[0]);
        var key = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        var method = request.Method;
        var query = request.Query;

        var operation = (method, key.Length > 0) switch
        {
            ("GET", true) => "GetObject",
            ("HEAD", true) => "HeadObject",
            ("PUT", true) => "PutObject",
            ("DELETE", true) => "DeleteObject",
            ("GET", false) when query.ContainsKey("location") => "GetBucketLocation",
            ("GET", false) when query["list-type"] == "2" => "ListObjectsV2",
            ("GET", false) => "ListObjects",
            ("HEAD", false) => "HeadBucket",
            _ => $"{method} {rawPath}",
        };
        (record.Operation, record.Resource) = (operation, key.Length > 0 ? $"{bucketName}/{key}" : bucketName);

        var caller = Authenticate(context, signed, body, s3: true);
        (record.CallerArn, record.MfaAuthenticated) = (caller.Arn, caller.MfaAuthenticated);

        if (!_buckets.TryGetValue(bucketName, out var bucket))
            throw new AwsError(404, "NoSuchBucket", "The specified bucket does not exist");

        var writes = operation is "PutObject" or "DeleteObject";
        if (writes && bucket.RequireMfaForWrites && !caller.MfaAuthenticated)
            throw new AwsError(403, "AccessDenied", "Access Denied");

        context.Response.Headers["x-amz-request-id"] = requestId;
        switch (operation)
        {
            case "GetObject" or "HeadObject": await GetObjectAsync(context, bucket, key, head: operation == "HeadObject"); break;
            case "PutObject": PutObject(context, bucket, key, body); break;
            case "DeleteObject":
                bucket.Objects.TryRemove(key, out _);
                context.Response.StatusCode = 204;
                break;
            case "ListObjectsV2" or "ListObjects": await ListObjectsAsync(context, bucket, v2: operation == "ListObjectsV2"); break;
            case "HeadBucket": context.Response.StatusCode = 200; break;
            case "GetBucketLocation":
                await Xml.WriteAsync(context, 200, new XElement(S3Ns + "LocationConstraint"));
                break;
            default:
                throw new AwsError(501, "NotImplemented", "A header you provided implies functionality that is not implemented", senderFault: false);
        }
    }

    private static async Task GetObjectAsync(HttpContext context, S3Bucket bucket, string key, bool head)
    {
        if (!bucket.Objects.TryGetValue(key, out var stored))
            throw new AwsError(404, "NoSuchKey", "The specified key does not exist.");
        var request = context.Request;
        var response = context.Response;
        if (request.Headers.IfMatch.Count > 0 && request.Headers.IfMatch.ToString() != stored.ETag)
            throw new AwsError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        if (request.Headers.IfNoneMatch.Count > 0 && request.Headers.IfNoneMatch.ToString() == stored.ETag)
        {
            response.StatusCode = 304;
            return;
        }

        response.StatusCode = 200;
        response.ContentType = stored.ContentType;
        response.ContentLength = stored.Data.Length;
        response.Headers.ETag = stored.ETag;
        response.Headers.LastModified = stored.LastModified.ToString("R", CultureInfo.InvariantCulture);
        if (string.Equals(request.Headers["x-amz-checksum-mode"], "ENABLED", StringComparison.OrdinalIgnoreCase))
            foreach (var (name, value) in stored.Checksums) response.Headers[name] = value;
        if (!head) await response.Body.WriteAsync(stored.Data);
    }

    private void PutObject(HttpContext context, S3Bucket bucket, string key, byte[] body)
    {
        var request = context.Request;
        var data = IsAwsChunked(request) ? AwsChunked.Decode(body) : body;
        var md5 = MD5.HashData(data);
        if (request.Headers["Content-MD5"].ToString() is { Length: > 0 } contentMd5 && contentMd5 != Convert.ToBase64String(md5))
            throw new AwsError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");

        var checksums = request.Headers
            .Where(h => h.Key.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("x-amz-checksum-algorithm", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        foreach (var (name, value) in AwsChunked.Trailers(body, IsAwsChunked(request))) checksums[name] = value;

        var etag = $"\"{Convert.ToHexStringLower(md5)}\"";
        var contentType = request.ContentType ?? "binary/octet-stream";
        var replacement = new S3Object(data, etag, Clock.GetUtcNow(), contentType, checksums);

        // Conditional writes are what use_lockfile relies on: If-None-Match: * creates only if absent.
        var ifNoneMatch = request.Headers.IfNoneMatch.ToString();
        var ifMatch = request.Headers.IfMatch.ToString();
        if (ifNoneMatch == "*")
        {
            if (!bucket.Objects.TryAdd(key, replacement))
                throw new AwsError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        }
        else if (ifMatch.Length > 0)
        {
            if (!bucket.Objects.TryGetValue(key, out var current))
                throw new AwsError(404, "NoSuchKey", "The specified key does not exist.");
            if (current.ETag != ifMatch || !bucket.Objects.TryUpdate(key, replacement, current))
                throw new AwsError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        }
        else
        {
            bucket.Objects[key] = replacement;
        }

        context.Response.StatusCode = 200;
        context.Response.Headers.ETag = etag;
        foreach (var (name, value) in checksums) context.Response.Headers[name] = value;
    }

    private static bool IsAwsChunked(HttpRequest request) =>
        request.Headers.ContentEncoding.ToString().Contains("aws-chunked", StringComparison.OrdinalIgnoreCase)
        || request.Headers["x-amz-content-sha256"].ToString().StartsWith("STREAMING-", StringComparison.Ordinal);

    private static async Task ListObjectsAsync(HttpContext context, S3Bucket bucket, bool v2)
    {
        var query = context.Request.Query;
        var prefix = query["prefix"].ToString();
        var delimiter = query["delimiter"].ToString();
        var urlEncoded = query["encoding-type"] == "url";
        var maxKeys = int.TryParse(query["max-keys"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? Math.Clamp(m, 0, 1000) : 1000;
        var startAfter = v2
            ? (query["continuation-token"].ToString() is { Length: > 0 } token ? Encoding.UTF8.GetString(Convert.FromBase64String(token)) : query["start-after"].ToString())
            : query["marker"].ToString();

        var contents = new List<XElement>();
        var prefixes = new SortedSet<string>(StringComparer.Ordinal);
        string? last = null;
        var truncated = false;
        foreach (var (key, stored) in bucket.Objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)
                                                                && string.CompareOrdinal(o.Key, startAfter) > 0)
                                                     .OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (contents.Count + prefixes.Count >= maxKeys) { truncated = true; break; }
            var rest = key[prefix.Length..];
            if (delimiter.Length > 0 && rest.IndexOf(delimiter, StringComparison.Ordinal) is var at and >= 0)
            {
                prefixes.Add(prefix + rest[..(at + delimiter.Length)]);
            }
            else
            {
                contents.Add(new XElement(S3Ns + "Contents",
                    new XElement(S3Ns + "Key", Encode(key)),
                    new XElement(S3Ns + "LastModified", stored.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                    new XElement(S3Ns + "ETag", stored.ETag),
                    new XElement(S3Ns + "Size", stored.Data.Length),
                    new XElement(S3Ns + "StorageClass", "STANDARD")));
            }
            last = key;
        }

        string Encode(string value) => urlEncoded ? string.Join('/', value.Split('/').Select(SigV4Verifier.UriEncode)) : value;

        var result = new XElement(S3Ns + "ListBucketResult",
            new XElement(S3Ns + "Name", bucket.Name),
            new XElement(S3Ns + "Prefix", Encode(prefix)),
            delimiter.Length > 0 ? new XElement(S3Ns + "Delimiter", Encode(delimiter)) : null,
            new XElement(S3Ns + "MaxKeys", maxKeys),
            urlEncoded ? new XElement(S3Ns + "EncodingType", "url") : null,
            new XElement(S3Ns + "IsTruncated", truncated ? "true" : "false"),
            v2 ? new XElement(S3Ns + "KeyCount", contents.Count + prefixes.Count) : null,
            v2 && query["continuation-token"].Count > 0 ? new XElement(S3Ns + "ContinuationToken", query["continuation-token"].ToString()) : null,
            v2 && truncated && last is not null ? new XElement(S3Ns + "NextContinuationToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(last))) : null,
            !v2 && truncated && last is not null ? new XElement(S3Ns + "NextMarker", Encode(last)) : null,
            contents,
            prefixes.Select(p => new XElement(S3Ns + "CommonPrefixes", new XElement(S3Ns + "Prefix", Encode(p)))));
        await Xml.WriteAsync(context, 200, result);
    }
}
