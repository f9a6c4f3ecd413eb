namespace TfMfa.Hosting;

/// <summary>
/// Lookups made at most once per key and shared by every caller that asks meanwhile. A lookup that
/// fails is not an answer: it is forgotten, so a later caller asks again.
/// </summary>
public sealed class LookupCache<TKey, TValue>(IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly Dictionary<TKey, Task<TValue>> _lookups = new(comparer);
    private readonly Lock _lock = new();

    /// <summary>The answer when a lookup for <paramref name="key"/> has already succeeded.</summary>
    public bool TryGetAnswer(TKey key, out TValue answer)
    {
        lock (_lock)
        {
            if (_lookups.TryGetValue(key, out var lookup) && lookup.IsCompletedSuccessfully)
            {
                answer = lookup.Result;
                return true;
            }
        }
        answer = default!;
        return false;
    }

    /// <returns>The shared lookup, or null when <paramref name="key"/> is new and <paramref name="maxKeys"/> keys are already held.</returns>
    public Task<TValue>? Get(TKey key, Func<Task<TValue>> lookUp, int maxKeys = int.MaxValue)
    {
        Task<TValue> lookup;
        lock (_lock)
        {
            if (!_lookups.TryGetValue(key, out lookup!))
            {
                if (_lookups.Count >= maxKeys) return null;
                _lookups[key] = lookup = lookUp();
            }
        }
        return ForgetOnFailureAsync(key, lookup);
    }

    public Task<TValue> GetAsync(TKey key, Func<Task<TValue>> lookUp) => Get(key, lookUp)!;

    private async Task<TValue> ForgetOnFailureAsync(TKey key, Task<TValue> lookup)
    {
        try
        {
            return await lookup;
        }
        catch
        {
            lock (_lock) if (_lookups.TryGetValue(key, out var stored) && stored == lookup) _lookups.Remove(key);
            throw;
        }
    }
}
