using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace TfMfa.Hosting;

/// <summary>
/// How TfMfa's REST clients (GitHub, Azure DevOps) ride out transient faults: reads are retried on
/// 5xx, 408, 429 and dropped connections with exponential backoff and Retry-After, on the run's
/// clock. Writes never are: a repeated POST could post twice, and a repeated DELETE would look like
/// a claim lost to another run.
/// </summary>
public static class ReadRetries
{
    public static ResilienceHandler Handler(TimeProvider clock, HttpMessageHandler inner)
    {
        var retry = new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            ShouldRetryAfterHeader = true,
        };
        retry.DisableForUnsafeHttpMethods();
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }.AddRetry(retry).Build();
        return new ResilienceHandler(pipeline) { InnerHandler = inner };
    }
}
