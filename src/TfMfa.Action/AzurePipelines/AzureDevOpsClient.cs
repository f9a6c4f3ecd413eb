using TfMfa.Hosting;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TfMfa.AzurePipelines;

/// <summary>
/// Azure DevOps REST 7.1 over HttpClient, with the job's OAuth token. The .NET client packages
/// discover routes with OPTIONS calls; TfMfa calls the documented routes directly. The pace
/// follows what the service says: Retry-After (on any answer, a 200 included) and
/// X-RateLimit-Remaining/-Reset delay the next call; 429 and 5xx are transient.
/// </summary>
public sealed class AzureDevOpsClient : IDisposable
{
    public const string ApiVersion = "7.1";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public AzureDevOpsClient(AzureContext context, string token, TimeProvider clock, HttpMessageHandler? handler = null)
    {
        _clock = clock;
        Collection = context.CollectionUri;
        Project = $"{Collection}{Uri.EscapeDataString(context.ProjectId)}/";
        Identities = IdentitiesHost(Collection);
        _http = new HttpClient(ReadRetries.Handler(clock, handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }), disposeHandler: true)
        {
            Timeout = RequestTimeout,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("tfmfa", "1.0"));
    }

    /// <summary><c>https://dev.azure.com/contoso/</c></summary>
    public Uri Collection { get; }

    /// <summary>The project's API root, by id (names may change).</summary>
    public string Project { get; }

    /// <summary>Where the identities API lives: vssps.dev.azure.com for Azure DevOps Services, the collection itself on Azure DevOps Server.</summary>
    public Uri Identities { get; }

    private static Uri IdentitiesHost(Uri collection)
    {
        if (collection.Host.Equals("dev.azure.com", StringComparison.OrdinalIgnoreCase))
            return new Uri($"https://vssps.dev.azure.com{collection.AbsolutePath}");
        if (collection.Host.EndsWith(".visualstudio.com", StringComparison.OrdinalIgnoreCase))
            return new Uri($"https://{collection.Host[..collection.Host.IndexOf('.')]}.vssps.visualstudio.com/");
        return collection;
    }

    public static string Query(params (string Name, string Value)[] parameters) =>
        "?" + string.Join("&", parameters.Append(("api-version", ApiVersion)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2)}"));

    public Task<T> GetAsync<T>(string what, string url, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(what, () => new HttpRequestMessage(HttpMethod.Get, url), type, cancellationToken)!;

    /// <summary>One page of a list and the continuation token of the next (<c>x-ms-continuationtoken</c>), null after the last.</summary>
    public async Task<(T Page, string? Next)> GetPageAsync<T>(string what, string url, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        string? next = null;
        var page = await SendAsync(what, () => new HttpRequestMessage(HttpMethod.Get, url), type, cancellationToken,
            response => next = Header(response, "x-ms-continuationtoken") is { Length: > 0 } token ? token : null);
        return (page!, next);
    }

    /// <summary>A GET whose 404 means "there is none" rather than a failure.</summary>
    public async Task<T?> GetOrNullAsync<T>(string what, string url, JsonTypeInfo<T> type, CancellationToken cancellationToken) where T : class
    {
        try { return await GetAsync(what, url, type, cancellationToken); }
        catch (AzureDevOpsException e) when (e.Status == HttpStatusCode.NotFound) { return null; }
    }

    public Task<TResult> WriteAsync<TBody, TResult>(HttpMethod method, string what, string url, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken) =>
        SendAsync(what, () => new HttpRequestMessage(method, url) { Content = JsonContent.Create(body, bodyType) }, resultType, cancellationToken)!;

    /// <summary>A DELETE; Azure DevOps answers 200 or 204 with no body.</summary>
    public Task DeleteAsync(string what, string url, CancellationToken cancellationToken) =>
        SendAsync<object>(what, () => new HttpRequestMessage(HttpMethod.Delete, url), null, cancellationToken);

    private async Task<T?> SendAsync<T>(string what, Func<HttpRequestMessage> request, JsonTypeInfo<T>? type, CancellationToken cancellationToken,
        Action<HttpResponseMessage>? onSuccess = null)
    {
        await PaceAsync(cancellationToken);
        HttpResponseMessage response;
        try
        {
            using var message = request();
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AzureDevOpsException($"Azure DevOps could not be reached to {what} ({e.Message})", null, transient: true, null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AzureDevOpsException($"Azure DevOps did not answer within {RequestTimeout.TotalSeconds:0} s to {what}", null, transient: true, null, e);
        }

        using (response)
        {
            var retryAfter = Remember(response);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
            // A bad or expired token gets the sign-in page, often as 203 Non-Authoritative, never JSON.
            if (mediaType.Contains("html", StringComparison.OrdinalIgnoreCase) || response.StatusCode == HttpStatusCode.NonAuthoritativeInformation)
                throw new AzureDevOpsException(
                    $"Azure DevOps answered the request to {what} with its sign-in page (HTTP {(int)response.StatusCode}), not JSON: the job's access token was not accepted. " +
                    "Let the job use its OAuth token (the task reads ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN; check that 'Limit job authorization scope' lets the build identity reach this project's repository)",
                    response.StatusCode, transient: false, null);

            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var transient = status is 408 or 429 or >= 500;
                var said = ErrorMessage(body);
                var hint = status switch
                {
                    401 => ": the job's access token was not accepted",
                    403 => ": the build identity lacks a permission for this",
                    429 => ": Azure DevOps is throttling this identity (TF400733)",
                    _ => "",
                };
                throw new AzureDevOpsException($"Azure DevOps answered {status} to the request to {what}{hint}{(said is null ? "" : $" ({said})")}",
                    response.StatusCode, transient, retryAfter);
            }

            onSuccess?.Invoke(response);
            if (type is null) return default;
            try
            {
                return JsonSerializer.Deserialize(body, type) ?? throw new JsonException("empty body");
            }
            catch (JsonException e)
            {
                throw new AzureDevOpsException($"Azure DevOps' answer to the request to {what} is not the JSON TfMfa expects ({e.Message})", response.StatusCode, transient: false, null, e);
            }
        }
    }

    private static string? ErrorMessage(string body)
    {
        try { return JsonSerializer.Deserialize(body, AzureJson.Default.AzureError)?.Message; }
        catch (JsonException) { return null; }
    }

    /// <summary>Keeps what the service said about the pace; returns its Retry-After.</summary>
    private TimeSpan? Remember(HttpResponseMessage response)
    {
        var now = _clock.GetUtcNow();
        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
        var notBefore = retryAfter is { } wait && wait > TimeSpan.Zero ? now + wait : DateTimeOffset.MinValue;
        if (Header(response, "X-RateLimit-Remaining") is "0"
            && long.TryParse(Header(response, "X-RateLimit-Reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            var resetAt = DateTimeOffset.FromUnixTimeSeconds(reset);
            if (resetAt > notBefore) notBefore = resetAt;
            retryAfter ??= resetAt - now;
        }
        lock (_lock) if (notBefore > _notBefore) _notBefore = notBefore;
        return retryAfter;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset notBefore;
        lock (_lock) notBefore = _notBefore;
        var wait = notBefore - _clock.GetUtcNow();
        if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock, cancellationToken);
    }

    public void Dispose() => _http.Dispose();
}
