namespace TfMfa.Bench;

/// <summary>Median and 95th percentile (nearest rank) of a sample.</summary>
public sealed record Stats(int Count, double Median, double P95, double Min, double Max)
{
    public static Stats Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new Stats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new Stats(sorted.Length, median, Rank(0.95), sorted[0], sorted[^1]);
    }

    public string Ms => $"{Median:0} ms / {P95:0} ms";
}
