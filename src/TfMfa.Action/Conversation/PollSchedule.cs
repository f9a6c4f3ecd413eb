namespace TfMfa.Conversation;

/// <summary>
/// How often a request is read. While it is fresh (its first <see cref="FreshFor"/>), at
/// <c>wait.poll-interval</c>, so a code reaches STS within half an interval and a round trip: most
/// people answer within a minute or two. After that, where every read counts against the platform's
/// budget (Azure DevOps throttles at 200 TSTUs per 5-minute window, and its threads API has no
/// ETags), at most <see cref="ReadsPerMinuteWhenSteady"/> reads a minute. Where an unchanged read is free (GitHub's 304), the
/// interval never stretches.
/// </summary>
public static class PollSchedule
{
    public static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(2);
    public const int ReadsPerMinuteWhenSteady = 6;
    public static readonly TimeSpan SteadyInterval = TimeSpan.FromMinutes(1) / ReadsPerMinuteWhenSteady;

    public static TimeSpan IntervalAt(TimeSpan pollInterval, TimeSpan sinceRequest, bool readsAreCounted) =>
        readsAreCounted && sinceRequest >= FreshFor && pollInterval < SteadyInterval ? SteadyInterval : pollInterval;
}
