using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>Request to fully committed (framework agreements), at the maximum rate and then at fixed fractions of it.</summary>
internal sealed class CapacityFigure(CapacityFigure.Settings settings)
{
    public const string Name = "capacity";

    /// <summary>
    /// Requests per incident in the capacity and durability figures: operations centres spread their
    /// requests over incidents; one incident with thousands of requests would measure its own size.
    /// </summary>
    public const int RequestsPerIncident = 20;

    /// <summary>Clients of the closed-loop maximum.</summary>
    private const int MaximumClients = 64;

    /// <summary>The number of clients the goal (p99 &lt;= 50 ms) is judged at.</summary>
    private const int JudgedClients = 64;

    /// <param name="Seconds">length of each measured run (the warm-up takes half)</param>
    /// <param name="ClientCounts">open-loop clients sharing the rate, one run each at 50 % and 80 % of the maximum</param>
    public sealed record Settings(double Seconds, int[] ClientCounts)
    {
        public static readonly Settings Full = new(Seconds: 5, ClientCounts: [1, 16, 64, 256]);
        public static readonly Settings Smoke = new(Seconds: 0.6, ClientCounts: [1, 16]);
    }

    /// <summary>Runs the figures on a registered <see cref="CapacityPool"/>; returns the maximum rate.</summary>
    public async Task<double> RunAsync(ServerProcess server, Report report)
    {
        var run = 0;
        Task<Func<int, Task<bool>>[]> Clients(int count, double expectedRequests)
        {
            run++;
            return CapacityClients.CreateAsync(_ => server, count, expectedRequests, $"run{run}", districtOffset: run);
        }

        // The closed-loop maximum: 64 clients as fast as they can (a generous guess at how many requests that is).
        var closedClients = await Clients(MaximumClients, 1500 * settings.Seconds * 1.5);
        await Load.Closed(server, MaximumClients, settings.Seconds / 2, i => closedClients[i % MaximumClients](i + 1_000_000)); // warm-up
        Console.WriteLine($"  (closed-loop maximum run: {settings.Seconds} s from {DateTimeOffset.UtcNow:HH:mm:ss})");
        var profile = await Profile.StartAsync(server);
        var maxRun = await Load.Closed(server, MaximumClients, settings.Seconds, i => closedClients[i % MaximumClients](i));
        var max = maxRun.Rate;
        report.Add("capacity requests", $"maximum rate, {MaximumClients} clients, request to fully committed", max, "req/s",
            $">= {3 * IssueBaseline.SqliteRate:N0}/s", max >= 3 * IssueBaseline.SqliteRate, $"3x {IssueBaseline.SqliteRate:N0}/s, {IssueBaseline.SqliteWhen}");

        // Steadier than the rate on a shared machine: the server's own CPU time over the run, per request
        // (with its share of the incidents closed meanwhile).
        report.Add("capacity requests", $"server CPU per RequestCapacity at the maximum (with its share of closes)", maxRun.CpuMicrosPerCall, "µs",
            "<= 400 µs", maxRun.CpuMicrosPerCall <= 400);
        await profile.ReportAsync(report, "capacity requests", "RequestCapacity at the maximum (with its share of closes)", maxRun.Calls);

        foreach (var fraction in new[] { 0.5, 0.8 })
        {
            foreach (var count in settings.ClientCounts)
            {
                var clients = await Clients(count, max * fraction * settings.Seconds);
                var before = await server.CountersAsync();
                var harnessPaused = GC.GetTotalPauseDuration();
                var machine = MachineCpu.Read();
                var (latencies, unfilled, due) = await Load.Open(max * fraction, count, settings.Seconds, clients);
                harnessPaused = GC.GetTotalPauseDuration() - harnessPaused;
                var cpu = MachineCpu.Read() - machine;
                var paused = $"{PausedDuring(before, await server.CountersAsync())}; the harness's own GC paused it {harnessPaused.TotalMilliseconds:0} ms; {cpu}";
                var judged = count == JudgedClients;
                var p99 = Percentile(latencies, 0.99);
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p50", Percentile(latencies, 0.5), "ms");
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p99", p99, "ms", judged ? "p99 <= 50 ms" : "", judged ? p99 <= 50 : null,
                    $"{latencies.Count} requests{(unfilled > 0 ? $", {unfilled} not filled" : "")}; {SlowestWhen(latencies, due)}; {paused}");
            }
        }

        return max;
    }

    /// <summary>
    /// The server's collections and their total pause over a run, and its longest group commit (read
    /// after the run: the maximum since the read before it): a stall of the process or of the disk shows here.
    /// </summary>
    internal static string PausedDuring(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after)
    {
        long Delta(string name) => after.GetValueOrDefault(name) - before.GetValueOrDefault(name);
        return $"GC paused the server {Delta("gc.pause.us") / 1000.0:0} ms (collections: gen0 {Delta("gc.gen0")}, gen1 {Delta("gc.gen1")}, gen2 {Delta("gc.gen2")}); "
            + $"longest group commit {after.GetValueOrDefault("commit.longest.us") / 1000.0:0} ms";
    }
}
