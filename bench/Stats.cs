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

    /// <summary>
    /// Where in the run the slowest 1 % of calls were due: "in 2 of 10 s (…)" means a stall, most of the
    /// seconds means a queue that was there all along.
    /// </summary>
    public static string SlowestWhen(List<double> latencies, List<double> dueSeconds)
    {
        var threshold = Percentile(latencies, 0.99);
        var seconds = latencies.Zip(dueSeconds).Where(x => x.First >= threshold).GroupBy(x => (int)x.Second).OrderByDescending(g => g.Count()).ToList();
        var run = dueSeconds.Count == 0 ? 0 : (int)dueSeconds.Max() + 1;
        return $"slowest 1 % due in {seconds.Count} of {run} s ({string.Join(", ", seconds.Take(4).Select(g => $"{g.Count()} in s{g.Key}"))})";
    }
}
