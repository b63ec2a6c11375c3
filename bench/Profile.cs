using System.Globalization;

namespace Coordination.Bench;

/// <summary>
/// What the server did per call over a run, from its counters (<see cref="ServerCounters"/>): grain
/// calls by method, state writes and bytes by state, group commits, audit records, allocations. The
/// figures it explains are beside it; this says where a call's cost goes, and what a change removed.
/// </summary>
internal sealed class Profile
{
    private readonly ServerProcess _server;
    private readonly IReadOnlyDictionary<string, long> _before;

    private Profile(ServerProcess server, IReadOnlyDictionary<string, long> before)
    {
        _server = server;
        _before = before;
    }

    public static async Task<Profile> StartAsync(ServerProcess server) => new(server, await server.CountersAsync());

    /// <summary>
    /// One item per call since the start, its counters summed over their parts (a prefix such as
    /// "coordination.storage.written[": bytes of every state), for a figure that names one item only.
    /// </summary>
    public async Task<double> PerCallAsync(string prefix, int calls) => Total(await PerCallAsync(calls), prefix);

    /// <summary>Adds the per-call counts since the start to the report (items under 0.01 per call are left out).</summary>
    public async Task ReportAsync(Report report, string section, string what, int calls)
    {
        var per = await PerCallAsync(calls);
        double Sum(string prefix) => Total(per, prefix);
        IEnumerable<KeyValuePair<string, double>> Parts(string prefix) =>
            per.Where(kv => kv.Key.StartsWith(prefix + "[", StringComparison.Ordinal) && kv.Value >= 0.01).OrderByDescending(kv => kv.Value);
        string Part(string key) => key[(key.IndexOf('[', StringComparison.Ordinal) + 1)..^1];

        report.Add(section, $"per {what}: grain calls", Sum("grain.calls["), "calls", note: string.Join(", ",
            Parts("grain.calls").Select(kv => $"{Part(kv.Key)} {kv.Value.ToString("0.##", CultureInfo.InvariantCulture)}")));
        report.Add(section, $"per {what}: grain state writes", Sum("coordination.storage.writes["), "writes", note: string.Join(", ",
            Parts("coordination.storage.writes").Select(kv => $"{Part(kv.Key)} {kv.Value.ToString("0.##", CultureInfo.InvariantCulture)}")));
        report.Add(section, $"per {what}: grain state bytes written", Sum("coordination.storage.written["), "bytes", note: string.Join(", ",
            Parts("coordination.storage.written").Select(kv => $"{Part(kv.Key)} {kv.Value.ToString("0", CultureInfo.InvariantCulture)}")));
        report.Add(section, $"per {what}: audit records / appends", per.GetValueOrDefault("coordination.audit.records"), "records",
            note: $"{per.GetValueOrDefault("coordination.audit.appends").ToString("0.##", CultureInfo.InvariantCulture)} appends");
        report.Add(section, $"per {what}: group commits of grain state", per.GetValueOrDefault("coordination.storage.commits"), "commits");
        report.Add(section, $"per {what}: server allocations", per.GetValueOrDefault("allocated.bytes"), "bytes",
            note: $"GCs per 1,000: gen0 {1000 * per.GetValueOrDefault("gc.gen0"):0.#}, gen1 {1000 * per.GetValueOrDefault("gc.gen1"):0.#}, gen2 {1000 * per.GetValueOrDefault("gc.gen2"):0.#}");
    }

    private async Task<Dictionary<string, double>> PerCallAsync(int calls) =>
        (await _server.CountersAsync()).ToDictionary(kv => kv.Key, kv => (kv.Value - _before.GetValueOrDefault(kv.Key)) / (double)Math.Max(1, calls), StringComparer.Ordinal);

    private static double Total(Dictionary<string, double> per, string prefix) => per.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(kv => kv.Value);
}
