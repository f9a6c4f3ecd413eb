using System.Globalization;
using Octokit;

namespace TfMfa.GitHub;

/// <summary>What GitHub answered, in words, and whether waiting and asking again may help: Octokit's exceptions as <see cref="GitHubException"/>.</summary>
public static class GitHubErrors
{
    /// <param name="what">The call, for the message ("read the comments").</param>
    /// <param name="cancelled">The run was cancelled: a cancellation is then not GitHub's failure.</param>
    /// <param name="permissions">The job permissions the call needs, named in a 403's message; null: those every run needs.</param>
    /// <returns>The translated failure, or null when <paramref name="error"/> is not one of GitHub's answers.</returns>
    public static GitHubException? Translate(Exception error, string what, DateTimeOffset now, bool cancelled, string? permissions = null) => error switch
    {
        RateLimitExceededException e => new GitHubException($"could not {what}: GitHub's rate limit is used up ({e.Remaining} of {e.Limit} left) until {e.Reset.UtcDateTime:HH:mm:ss} UTC",
            e.StatusCode, transient: true, e.Reset - now < TimeSpan.Zero ? TimeSpan.Zero : e.Reset - now, e),
        SecondaryRateLimitExceededException e => new GitHubException($"could not {what}: GitHub's secondary rate limit ({e.Message})", e.StatusCode, transient: true,
            RetryAfter(e.HttpResponse) ?? TimeSpan.FromSeconds(60), e),
        AbuseException e => new GitHubException($"could not {what}: GitHub's secondary rate limit ({e.Message})", e.StatusCode, transient: true,
            e.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(60), e),
        AuthorizationException e => new GitHubException($"could not {what}: GitHub refused the token (HTTP 401, {e.Message}). Check the github-token input", e.StatusCode, transient: false, null, e),
        ApiException e when (int)e.StatusCode == 429 || (int)e.StatusCode >= 500 =>
            new GitHubException($"could not {what}: GitHub answered HTTP {(int)e.StatusCode} ({e.Message})", e.StatusCode, transient: true, RetryAfter(e.HttpResponse), e),
        ForbiddenException e => new GitHubException($"could not {what}: GitHub answered HTTP 403 ({e.Message}). Give the job the permissions it needs (permissions: {permissions ?? "contents: read, pull-requests: write, issues: write, actions: read"})",
            e.StatusCode, transient: false, null, e),
        ApiException e => new GitHubException($"could not {what}: GitHub answered HTTP {(int)e.StatusCode} ({e.Message})", e.StatusCode, transient: false, null, e),
        HttpRequestException or IOException => new GitHubException($"could not {what}: no answer from GitHub ({error.Message})", null, transient: true, null, error),
        TaskCanceledException when !cancelled => new GitHubException($"could not {what}: no answer from GitHub ({error.Message})", null, transient: true, null, error),
        _ => null,
    };

    private static TimeSpan? RetryAfter(IResponse? response)
    {
        if (response?.Headers is null) return null;
        foreach (var (name, value) in response.Headers)
            if (name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(seconds);
        return null;
    }
}
