namespace TfMfa.Demo;

/// <summary>Real time, plus whatever the demo skipped, so the scripted apply gets a fresh code without waiting 30 seconds.</summary>
public sealed class ShiftableClock : TimeProvider
{
    private TimeSpan _offset;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;

    public void Skip(TimeSpan time) => _offset += time;

    public TimeSpan LeftInWindow => TimeSpan.FromSeconds(30 - GetUtcNow().ToUnixTimeSeconds() % 30);
}
