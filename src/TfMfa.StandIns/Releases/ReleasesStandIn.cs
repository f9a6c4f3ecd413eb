using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace TfMfa.StandIns.Releases;

/// <summary>
/// A releases mirror on 127.0.0.1 in HashiCorp's layout, for terraform and tofu alike:
/// <c>/&lt;binary&gt;/index.json</c>, and per version <c>&lt;binary&gt;_&lt;v&gt;_linux_amd64.zip</c>,
/// <c>&lt;binary&gt;_&lt;v&gt;_SHA256SUMS</c> and its detached binary OpenPGP signature (<c>.sig</c> for
/// terraform, <c>.gpgsig</c> for tofu, as each project names it), signed with a key made at start.
/// Tests can tamper with a zip or sign with a stranger's key.
/// </summary>
public sealed class ReleasesStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly PgpSecretKey _key = NewKey("TfMfa releases stand-in <releases@example.invalid>");

    private ReleasesStandIn(WebApplication app) => _app = app;

    /// <summary>Base URL, like <c>http://127.0.0.1:41234</c>: the releases-url input.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The signing key's public half, ASCII-armored: the releases-key input.</summary>
    public string ArmoredPublicKey => Armor(_key.PublicKey);

    public IReadOnlyList<string> Requests => [.. _requests];

    public static async Task<ReleasesStandIn> StartAsync()
    {
        var app = LoopbackServer.Create();
        var standIn = new ReleasesStandIn(app);
        standIn.Url = await LoopbackServer.ServeAsync(app, standIn.HandleAsync);
        return standIn;
    }

    /// <summary>Publishes <paramref name="executable"/> as <paramref name="binary"/> <paramref name="version"/> for linux_amd64.</summary>
    public void AddRelease(string binary, string version, byte[] executable)
    {
        var zipName = $"{binary}_{version}_linux_amd64.zip";
        var zip = Zip(binary, executable);
        var sumsName = $"{binary}_{version}_SHA256SUMS";
        var sums = Encoding.ASCII.GetBytes($"{Convert.ToHexStringLower(SHA256.HashData(zip))}  {zipName}\n");
        _files[$"/{binary}/{version}/{zipName}"] = zip;
        _files[$"/{binary}/{version}/{sumsName}"] = sums;
        _files[$"/{binary}/{version}/{sumsName}{SignatureSuffix(binary)}"] = Sign(_key, sums);
        RebuildIndex(binary);
    }

    /// <summary>Lists a version in the index whose files are gone (an unpublished release).</summary>
    public void ListWithoutFiles(string binary, string version)
    {
        _files[$"/{binary}/{version}/.listed"] = [];
        RebuildIndex(binary);
    }

    /// <summary>Replaces the zip with another whose SHA256 no longer matches the signed sums.</summary>
    public void TamperWithZip(string binary, string version, byte[] otherExecutable) =>
        _files[$"/{binary}/{version}/{binary}_{version}_linux_amd64.zip"] = Zip(binary, otherExecutable);

    /// <summary>Re-signs the sums with a key nobody trusts.</summary>
    public void SignWithAStrangersKey(string binary, string version)
    {
        var sumsName = $"{binary}_{version}_SHA256SUMS";
        _files[$"/{binary}/{version}/{sumsName}{SignatureSuffix(binary)}"] = Sign(NewKey("Mallory <mallory@example.invalid>"), _files[$"/{binary}/{version}/{sumsName}"]);
    }

    private static string SignatureSuffix(string binary) => binary == "tofu" ? ".gpgsig" : ".sig";

    private void RebuildIndex(string binary)
    {
        var versions = _files.Keys.Where(k => k.StartsWith($"/{binary}/", StringComparison.Ordinal)).Select(k => k.Split('/')[2]).Where(v => v != "index.json").Distinct();
        var index = new JsonObject { ["name"] = binary, ["versions"] = new JsonObject() };
        foreach (var version in versions)
            index["versions"]![version] = new JsonObject { ["name"] = binary, ["version"] = version, ["shasums"] = $"{binary}_{version}_SHA256SUMS" };
        _files[$"/{binary}/index.json"] = Encoding.UTF8.GetBytes(index.ToJsonString());
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(path);
        if (!HttpMethods.IsGet(context.Request.Method) || !_files.TryGetValue(path, out var body) || path.EndsWith("/.listed", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("Not Found");
            return;
        }
        context.Response.ContentType = path.EndsWith(".json", StringComparison.Ordinal) ? "application/json" : "application/octet-stream";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    }

    private static byte[] Zip(string binary, byte[] executable)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entry = archive.CreateEntry(binary, CompressionLevel.Fastest);
            entry.ExternalAttributes = Convert.ToInt32("100755", 8) << 16;
            using var stream = entry.Open();
            stream.Write(executable);
        }
        return buffer.ToArray();
    }

    private static PgpSecretKey NewKey(string identity)
    {
        var generator = new RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(0x10001), new SecureRandom(), 2048, 12));
        var pair = new PgpKeyPair(PublicKeyAlgorithmTag.RsaGeneral, generator.GenerateKeyPair(), DateTime.UtcNow.AddMinutes(-1));
        return new PgpSecretKey(PgpSignature.DefaultCertification, pair, identity, SymmetricKeyAlgorithmTag.Aes256, Array.Empty<char>(), true, null, null, new SecureRandom());
    }

    /// <summary>A detached binary signature, as HashiCorp publishes its .sig files.</summary>
    private static byte[] Sign(PgpSecretKey key, byte[] data)
    {
        var generator = new PgpSignatureGenerator(PublicKeyAlgorithmTag.RsaGeneral, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.BinaryDocument, key.ExtractPrivateKey(Array.Empty<char>()));
        generator.Update(data);
        using var output = new MemoryStream();
        generator.Generate().Encode(output);
        return output.ToArray();
    }

    private static string Armor(PgpPublicKey key)
    {
        using var output = new MemoryStream();
        using (var armor = new ArmoredOutputStream(output)) key.Encode(armor);
        return Encoding.ASCII.GetString(output.ToArray());
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);
}
