using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>
/// The capacity and durability figures on PostgreSQL, the cluster store: the silo's CPU and the
/// database's per request, the tail at 80 % of the maximum, durable decisions against the database's
/// raw commit rate, and the same maximum with a second silo beside the first. On one 2-core machine
/// the second silo shows what the cluster costs, not how it scales: both silos and the database share
/// the same two cores.
/// </summary>
internal sealed class PostgresFigure(PostgresFigure.Settings settings)
{
    public const string Name = "postgres";
    private const string Section = "PostgreSQL";

    /// <summary>Clients of the closed-loop maximum and of the judged open-loop run, as on SQLite.</summary>
    private const int Clients = 64;

    /// <param name="Pool">the units requests are filled from, as on SQLite</param>
    /// <param name="Seconds">length of each measured run (the warm-up takes half)</param>
    public sealed record Settings(CapacityPool.Settings Pool, double Seconds, DurableFigure.Settings Durable)
    {
        public static readonly Settings Full = new(CapacityPool.Settings.Full, Seconds: 5, DurableFigure.Settings.Full);
        public static readonly Settings Smoke = new(CapacityPool.Settings.Smoke, Seconds: 0.6, DurableFigure.Settings.Smoke);
    }

    public async Task RunAsync(string folder, IReadOnlyList<string> serverSettings, Report report)
    {
        if (PostgresProcess.Binaries() is not { } bin)
        {
            // Reported as missing (the run fails): the goals on PostgreSQL are part of the run.
            report.Add(Section, "every figure on PostgreSQL", null, "", note:
                "PostgreSQL's server is not installed: `dotnet test` installs it on first use, or `apt-get install postgresql`");
            return;
        }

        await using var postgres = await PostgresProcess.StartAsync(bin, Path.Combine(folder, "server"), ServerProcess.FreePort());
        var database = await postgres.CreateDatabaseAsync("coordination");
        string[] onPostgres = [.. serverSettings, "--Coordination:Storage:Provider=PostgreSql", $"--Coordination:Storage:ConnectionString={database}"];

        // Both silos read the same development signing key from the shared data folder, so one token works on either.
        var data = Path.Combine(folder, "silos");
        Directory.CreateDirectory(data);
        var first = await ServerProcess.StartAsync(data, onPostgres);
        try
        {
            var pool = new CapacityPool(settings.Pool);
            await pool.RegisterAsync(first);
            var (max, _) = await MaximumAsync([first], postgres, report, "one silo");

            var clients = await CapacityClients.CreateAsync(_ => first, Clients, max * 0.8 * settings.Seconds, "pg-open", districtOffset: 5);
            var (latencies, unfilled, due) = await Load.Open(max * 0.8, Clients, settings.Seconds, clients);
            var p99 = Percentile(latencies, 0.99);
            report.Add(Section, $"one silo, 80 % of max, {Clients} clients: p50", Percentile(latencies, 0.5), "ms");
            report.Add(Section, $"one silo, 80 % of max, {Clients} clients: p99", p99, "ms", "p99 <= 50 ms", p99 <= 50,
                $"{latencies.Count} requests{(unfilled > 0 ? $", {unfilled} not filled" : "")}; {SlowestWhen(latencies, due)}");

            await new DurableFigure(settings.Durable, Section).RunAsync(first, report, new PostgresRawCommits(database));

            // Units go stale five minutes after their last report; registering them here took two of those.
            await pool.HeartbeatAsync(first);
            var second = await ServerProcess.StartAsync(data, onPostgres);
            Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss.fff} a second silo has joined; the silos' logs are in {ServerProcess.LogFolder})");
            try
            {
                var (twoSilos, _) = await MaximumAsync([first, second], postgres, report, "two silos");
                await LeaveAsync(first, second, twoSilos / 2, report);
            }
            finally
            {
                await second.DisposeAsync();
            }
        }
        finally
        {
            await first.StopAsync();
            await first.DisposeAsync();
        }
    }

    private int _run;

    /// <summary>
    /// A silo leaving under load (a rolling restart, a node taken out): clients on the first silo's
    /// gateway at <paramref name="rate"/>, and one second in the second silo shuts down gracefully.
    /// What callers see while the cluster hands over the leaver's grains: failed calls and the tail.
    /// </summary>
    private async Task LeaveAsync(ServerProcess first, ServerProcess second, double rate, Report report)
    {
        var seconds = settings.Seconds * 2;
        var clients = await CapacityClients.CreateAsync(_ => first, Clients, rate * seconds, "pg-leave", districtOffset: 7);
        var failed = 0;
        var counted = clients.Select(call => (Func<int, Task<bool>>)(async i =>
        {
            try
            {
                return await call(i);
            }
            catch (Grpc.Core.RpcException)
            {
                Interlocked.Increment(ref failed);
                return true; // counted apart, not as unfilled
            }
        })).ToArray();

        var running = Load.Open(rate, Clients, seconds, counted);
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, seconds / 4)));
        var leaving = DateTime.UtcNow;
        await second.StopAsync();
        Console.WriteLine($"  ({leaving:HH:mm:ss.fff} the second silo began to leave; it was gone after {(DateTime.UtcNow - leaving).TotalSeconds:0.0} s)");
        var (latencies, unfilled, due) = await running;
        var p99 = Percentile(latencies, 0.99);
        report.Add(Section, $"two silos, the second leaving under load ({rate:N0} req/s on the first): p99", p99, "ms",
            note: $"{latencies.Count} requests, {failed} failed, {unfilled} not filled, slowest {latencies.DefaultIfEmpty(0).Max():N0} ms; {SlowestWhen(latencies, due)}");
        // As a share answered, not a count of failures: none failing is a figure too (the smoke test wants every figure above zero).
        report.Add(Section, "two silos, the second leaving under load: calls answered", 100.0 * (latencies.Count - failed) / Math.Max(1, latencies.Count), "%",
            note: $"{failed} failed: what a caller would have to retry");
    }

    /// <summary>
    /// The closed-loop maximum with the clients spread over the silos' gateways; the CPU of every
    /// silo and of the database over the run, per request.
    /// </summary>
    private async Task<(double Rate, double CpuMicros)> MaximumAsync(ServerProcess[] silos, PostgresProcess postgres, Report report, string label)
    {
        var tag = $"pg{++_run}";
        var clients = await CapacityClients.CreateAsync(c => silos[c % silos.Length], Clients, 1500 * settings.Seconds * 1.5, tag, districtOffset: _run);
        await Load.Closed(silos[0], Clients, settings.Seconds / 2, i => clients[i % Clients](i + 1_000_000)); // warm-up

        var siloCpu = silos.Select(s => s.CpuTime).ToArray();
        var databaseCpu = postgres.CpuTime;
        var profile = await Profile.StartAsync(silos[0]);
        var run = await Load.Closed(silos[0], Clients, settings.Seconds, i => clients[i % Clients](i));
        var perRequest = Math.Max(1, run.Calls);
        var silo = silos.Select((s, n) => (s.CpuTime - siloCpu[n]).TotalMicroseconds).Sum() / perRequest;
        var db = (postgres.CpuTime - databaseCpu).TotalMicroseconds / perRequest;

        var baseline = silos.Length == 1 ? $">= {3 * IssueBaseline.PostgresRate:N0}/s" : "";
        report.Add(Section, $"{label}: maximum rate, {Clients} clients, request to fully committed", run.Rate, "req/s",
            baseline, silos.Length == 1 ? run.Rate >= 3 * IssueBaseline.PostgresRate : null,
            silos.Length == 1 ? $"3x {IssueBaseline.PostgresRate:N0}/s, {IssueBaseline.PostgresWhen}" : "on one 2-core machine: the cluster's overhead, not scale");
        report.Add(Section, $"{label}: silo CPU per RequestCapacity", silo, "µs", note: silos.Length > 1 ? "both silos" : "");
        report.Add(Section, $"{label}: database CPU per RequestCapacity", db, "µs", note: "the PostgreSQL server and its backends");
        report.Add(Section, $"{label}: silo + database CPU per RequestCapacity", silo + db, "µs",
            silos.Length == 1 ? "<= 1,200 µs" : "", silos.Length == 1 ? silo + db <= 1200 : null);
        if (silos.Length == 1)
        {
            // What the silo did per request, as on SQLite (the first silo's counters: with two, each sees only its share).
            await profile.ReportAsync(report, Section, "RequestCapacity, one silo", run.Calls);
        }

        return (run.Rate, silo + db);
    }
}
