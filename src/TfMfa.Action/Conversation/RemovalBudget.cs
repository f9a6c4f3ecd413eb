namespace TfMfa.Conversation;

/// <summary>
/// How many comments that cannot count a run removes: a comment that may show a code is removed so
/// no code stays visible, but people who may not supply codes get at most
/// <see cref="MaxRemovalsPerWriter"/> each and <see cref="MaxRemovalsForOthers"/> together, so a flood
/// spends a bounded share of the token's budget; past the cap their comments are left alone.
/// </summary>
public sealed class RemovalBudget
{
    public const int MaxRemovalsPerWriter = 3;
    public const int MaxRemovalsForOthers = 60;

    private readonly Dictionary<string, int> _byWriter = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _toldAboutCap = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private int _total;

    /// <summary>Spends one removal on <paramref name="writer"/>'s comment; false once a cap is reached.</summary>
    public bool TrySpend(string writer)
    {
        lock (_lock)
        {
            var spent = _byWriter.GetValueOrDefault(writer);
            if (spent >= MaxRemovalsPerWriter || _total >= MaxRemovalsForOthers) return false;
            _byWriter[writer] = spent + 1;
            _total++;
            return true;
        }
    }

    /// <summary>Counts a removal made anyway (a claimed comment whose writer turned out not to be allowed) against the writer.</summary>
    public void Count(string writer)
    {
        lock (_lock) _byWriter[writer] = _byWriter.GetValueOrDefault(writer) + 1;
    }

    /// <summary>True the first time a writer hits the cap: the log says so once.</summary>
    public bool FirstTimeOverCap(string writer)
    {
        lock (_lock) return _toldAboutCap.Add(writer);
    }
}
