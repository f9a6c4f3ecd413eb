using System.Net;
using TfMfa.Gate;

namespace TfMfa.GitHub;

/// <summary>What GitHub answered, in words, and whether waiting and asking again may help.</summary>
public sealed class GitHubException(string message, HttpStatusCode? status, bool transient, TimeSpan? retryAfter, Exception? inner = null)
    : TfMfaException(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>5xx, a dropped connection, a timeout, or a rate limit: worth waiting for.</summary>
    public bool IsTransient { get; } = transient;

    /// <summary>How long GitHub asked us to wait (Retry-After, or until x-ratelimit-reset).</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
