using Polly;
using System.IO.Compression;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace TfMfa.Terraform.Releases;

/// <summary>
/// Fetches the terraform (or OpenTofu) a module asks for, verified as HashiCorp's own tools do:
/// the <c>SHA256SUMS</c> file must carry a valid signature by the product's release key, and the zip
/// must match its line in it. Nothing unverified is ever run; every refusal names the version and
/// says what to do.
/// </summary>
/// <param name="http">Made on first download only: most runs use the image's own terraform, and an
/// HTTP stack with its resilience pipeline costs start-up time and memory they do not need.</param>
public sealed class ToolInstaller(Func<HttpClient> http, string toolsDirectory)
{
    private HttpClient? _http;

    public async Task<ResolvedTool> ResolveAsync(ToolRequest request, string workingDirectory, string workspace, CancellationToken cancellationToken)
    {
        var product = request.Product;
        var asked = request.Version;
        var source = "the terraform-version input";
        if (asked is null && product == ReleaseProduct.Terraform)
            return new ResolvedTool("terraform", "the image's own terraform");
        if (asked is null or "auto")
        {
            if (RequiredVersion.Find(workingDirectory, workspace, product) is { } found)
                (asked, source) = (found.Constraint, found.Where);
            else if (product == ReleaseProduct.Terraform)
                return new ResolvedTool("terraform", "the image's own terraform (terraform-version: auto found no required_version or .terraform-version)");
            else
                (asked, source) = (">= 0.0.0", "the newest release (no required_version or .opentofu-version)");
        }

        if (!VersionConstraint.TryParse(asked, out var constraint, out var error))
            throw new TfMfaException($"{source}: '{asked}' {error}.");
        var mirror = request.ReleasesUrl?.TrimEnd('/');
        var version = constraint.Exact ?? await NewestAsync(product, constraint, mirror, source, cancellationToken);
        var keys = request.ReleasesKey is { } armored ? TrustedKeys.FromArmored(armored, "input 'releases-key'") : TrustedKeys.For(product);
        var executable = await InstallAsync(product, version, mirror, keys, cancellationToken);
        return new ResolvedTool(executable,
            $"{product.Name} {version} ({source}: {asked}) from {product.ReleaseDirectory(version, mirror)}, verified: SHA256SUMS signed by {keys.Owner} ({keys.Fingerprint}), zip SHA256 matches");
    }

    private async Task<ReleaseVersion> NewestAsync(ReleaseProduct product, VersionConstraint constraint, string? mirror, string source, CancellationToken cancellationToken)
    {
        var url = product.IndexUrl(mirror);
        var index = await GetAsync(url, $"{product.Name} releases index", cancellationToken)
            ?? throw new TfMfaException($"{source}: cannot list {product.Name} releases, {url} answered 404. Name an exact version instead of '{constraint}', or check releases-url.");
        var versions = ParseIndex(index);
        return constraint.Newest(versions) ?? throw new TfMfaException(
            $"{source}: no {product.Name} release meets '{constraint}' (the newest of {versions.Count} is {versions.Where(v => !v.IsPrerelease).DefaultIfEmpty().Max()?.ToString() ?? "none"}). " +
            $"Loosen the constraint, or fix required_version; releases: {product.Website}");
    }

    /// <summary>HashiCorp's index (<c>{"versions": {"1.9.8": {...}}}</c>) or OpenTofu's (<c>{"versions": [{"id": "1.8.0"}]}</c>).</summary>
    public static IReadOnlyList<ReleaseVersion> ParseIndex(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var versions = document.RootElement.GetProperty("versions");
            var names = versions.ValueKind == JsonValueKind.Object
                ? versions.EnumerateObject().Select(p => p.Name)
                : versions.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) ? id.GetString() : e.GetString());
            return [.. names.Select(n => ReleaseVersion.TryParse(n, out var v) ? v : null).OfType<ReleaseVersion>()];
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TfMfaException($"the releases index is not a releases index ({e.Message})", e);
        }
    }

    private async Task<string> InstallAsync(ReleaseProduct product, ReleaseVersion version, string? mirror, TrustedKeys keys, CancellationToken cancellationToken)
    {
        var arch = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "amd64",
            Architecture.Arm64 => "arm64",
            var other => throw new TfMfaException($"{product.Name} {version}: no release for this machine's architecture ({other})"),
        };
        var directory = product.ReleaseDirectory(version, mirror);
        var sumsName = product.SumsName(version);
        var zipName = product.ZipName(version, arch);
        var what = $"{product.Name} {version}";

        var sums = await GetAsync($"{directory}/{sumsName}", sumsName, cancellationToken)
            ?? throw new TfMfaException($"{what} does not exist: {directory}/{sumsName} answered 404. Pick a released version ({product.Website}), or check releases-url.");
        var signature = await GetAsync($"{directory}/{sumsName}{product.SignatureSuffix}", sumsName + product.SignatureSuffix, cancellationToken)
            ?? throw new TfMfaException($"{what}: {sumsName} has no signature ({sumsName}{product.SignatureSuffix} answered 404), so it cannot be trusted and nothing was run. A mirror must serve the signature beside the sums.");
        if (!keys.Signed(sums, signature))
            throw new TfMfaException($"{what}: {sumsName} is not signed by {keys.Owner}'s key ({keys.Fingerprint}); the file or its signature was altered, and nothing was run. " +
                                     "Download again; a mirror must serve the product's own signed files (or releases-key must be the key that signs them).");

        var expected = ExpectedSha256(sums, zipName) ?? throw new TfMfaException(
            $"{what}: {sumsName} lists no {zipName}, so there is no verified build for linux_{arch}; nothing was run.");
        var zip = await GetAsync($"{directory}/{zipName}", zipName, cancellationToken)
            ?? throw new TfMfaException($"{what}: {zipName} answered 404 although {sumsName} lists it; try again later or check the mirror.");
        var actual = Convert.ToHexStringLower(SHA256.HashData(zip));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(actual), Encoding.ASCII.GetBytes(expected)))
            throw new TfMfaException($"{what}: {zipName} has SHA256 {actual}, but the signed {sumsName} says {expected}: the download was altered or damaged, and nothing was run. Download again, or check the mirror.");

        var target = Path.Combine(toolsDirectory, product.Binary, version.ToString());
        Directory.CreateDirectory(target);
        var executable = Path.Combine(target, product.Binary);
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            var entry = archive.GetEntry(product.Binary) ?? throw new TfMfaException($"{what}: {zipName} holds no '{product.Binary}' binary; nothing was run.");
            await using var file = new FileStream(executable, FileMode.Create, FileAccess.Write, FileShare.None);
            await using var content = entry.Open();
            await content.CopyToAsync(file, cancellationToken);
        }
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute); // terraform's own uid runs it, and may not change it
        return executable;
    }

    /// <summary>The SHA256 the sums file gives for <paramref name="fileName"/> (<c>&lt;hex&gt;  &lt;name&gt;</c> lines).</summary>
    public static string? ExpectedSha256(byte[] sums, string fileName) =>
        Encoding.UTF8.GetString(sums).Split('\n')
            .Select(line => line.Trim().Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length == 2 && parts[1].Trim().TrimStart('*') == fileName && parts[0].Length == 64)
            .Select(parts => parts[0].ToLowerInvariant())
            .FirstOrDefault();

    /// <returns>The body, or null for a 404; anything else fails with what the server answered.</returns>
    private async Task<byte[]?> GetAsync(string url, string what, CancellationToken cancellationToken)
    {
        try
        {
            _http ??= http();
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound) return null;
            if (!response.IsSuccessStatusCode)
                throw new TfMfaException($"could not download {what}: {url} answered HTTP {(int)response.StatusCode}; try again, or check releases-url.");
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new TfMfaException($"could not download {what} from {url} ({e.Message}); check the network or releases-url.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TfMfaException($"could not download {what} from {url}: no answer in time; check the network or releases-url.", e);
        }
    }

    /// <summary>An HttpClient whose GETs ride out transient faults (5xx, 408, 429, drops) with backoff, as the GitHub reads do.</summary>
    public static HttpClient CreateHttpClient()
    {
        var retry = new Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = Polly.DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            ShouldRetryAfterHeader = true,
        };
        var pipeline = new Polly.ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(retry).Build();
        var handler = new Microsoft.Extensions.Http.Resilience.ResilienceHandler(pipeline) { InnerHandler = new SocketsHttpHandler() };
        return new HttpClient(handler) { Timeout = TimeSpan.FromMinutes(5) };
    }
}
