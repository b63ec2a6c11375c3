namespace Coordination.Bench;

/// <summary>Percentiles of samples; NaN (reported as missing) when there are none.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values) => Percentile([.. values], 0.5);

    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
