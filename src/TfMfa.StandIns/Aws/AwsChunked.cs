using System.Globalization;
using System.Text;

namespace TfMfa.StandIns.Aws;

/// <summary>
/// The <c>aws-chunked</c> content encoding SDKs use for streaming uploads and trailing checksums:
/// <c>hex-size[;chunk-signature=...]\r\n data \r\n</c> ... <c>0\r\n</c>, then trailer lines.
/// </summary>
internal static class AwsChunked
{
    public static byte[] Decode(byte[] body)
    {
        using var data = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = IndexOfCrLf(body, position);
            if (lineEnd < 0) throw new AwsError(400, "IncompleteBody", "The request body terminated unexpectedly");
            var header = Encoding.ASCII.GetString(body, position, lineEnd - position);
            var sizeText = header.Split(';', 2)[0];
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new AwsError(400, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes");
            position = lineEnd + 2;
            if (size == 0) break;
            if (position + size > body.Length) throw new AwsError(400, "IncompleteBody", "The request body terminated unexpectedly");
            data.Write(body, position, size);
            position += size + 2; // chunk data, then CRLF
        }
        return data.ToArray();
    }

    /// <summary>Trailer headers after the last chunk, such as <c>x-amz-checksum-crc32:...</c>.</summary>
    public static IEnumerable<(string Name, string Value)> Trailers(byte[] body, bool chunked)
    {
        if (!chunked) yield break;
        var text = Encoding.ASCII.GetString(body);
        var last = text.IndexOf("\r\n0", StringComparison.Ordinal);
        var start = text.StartsWith('0') ? 0 : last + 2;
        if (start < 0) yield break;
        foreach (var line in text[start..].Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
                yield return (line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..].Trim());
        }
    }

    private static int IndexOfCrLf(byte[] body, int from)
    {
        for (var i = from; i + 1 < body.Length; i++)
            if (body[i] == '\r' && body[i + 1] == '\n') return i;
        return -1;
    }
}
