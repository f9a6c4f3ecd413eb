using System.Collections.Concurrent;
using System.Net;
using Octokit.Caching;
using Octokit.Internal;

namespace TfMfa.GitHub;

/// <summary>
/// Remembers the last 200 answer and its ETag per GET, so Octokit's <see cref="CachingHttpClient"/>
/// sends <c>If-None-Match</c> and turns a 304 (which costs no rate limit) back into that answer.
/// </summary>
public sealed class EtagCache : IResponseCache
{
    private readonly ConcurrentDictionary<string, CachedResponse.V1> _responses = new(StringComparer.Ordinal);

    public Task<CachedResponse.V1> GetAsync(IRequest request) =>
        Task.FromResult(_responses.GetValueOrDefault(Key(request))!);

    public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
    {
        if (cachedResponse.StatusCode == HttpStatusCode.OK && !string.IsNullOrEmpty(cachedResponse.ApiInfo?.Etag))
            _responses[Key(request)] = cachedResponse;
        return Task.CompletedTask;
    }

    private static string Key(IRequest request)
    {
        var parameters = request.Parameters is null ? "" : string.Join('&', request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var accept = request.Headers is not null && request.Headers.TryGetValue("Accept", out var a) ? a : "";
        return $"{request.BaseAddress}|{request.Endpoint}|{parameters}|{accept}";
    }
}
