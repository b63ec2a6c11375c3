using Coordination.Api.V1;
using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>Status reports through the gateway against a no-op unary call in the same process, alternately.</summary>
internal sealed class StatusFigure(StatusFigure.Settings settings)
{
    public const string Name = "status";

    // A few control rooms' feeds at once; each has up to 64 reports in flight in the gateway.
    private const int FeedStreams = 4;

    /// <param name="Units">units registered and reported on, round robin</param>
    /// <param name="Clients">closed-loop clients</param>
    /// <param name="RoundSeconds">length of one measured round (the secured no-op and the warm-ups take half)</param>
    /// <param name="Pairs">A/B pairs of rounds, ReportUnit then no-op</param>
    public sealed record Settings(int Units, int Clients, double RoundSeconds, int Pairs)
    {
        public static readonly Settings Full = new(Units: 1000, Clients: 64, RoundSeconds: 3, Pairs: 5);
        public static readonly Settings Smoke = new(Units: 100, Clients: 8, RoundSeconds: 0.4, Pairs: 2);
    }

    public async Task RunAsync(ServerProcess server, Report report)
    {
        const string company = "bench-status";
        var units = Enumerable.Range(0, settings.Units).Select(i => $"s{i}").ToArray();
        var client = server.Company(company);
        foreach (var chunk in units.Chunk(1000))
        {
            await client.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units = { chunk.Select(u => new UnitRegistration { UnitId = u, Headcount = 2, HomeDistrict = "oslo", Capabilities = { "patrol" } }) },
            });
        }

        await Load.Feed(client, units, UnitStatus.Available);
        var noop = new Noop.Noop.NoopClient(server.Channel);

        // The common case of a control-room feed: the unit's status again (it is still available) with a new position.
        Task Report(int i) => client.ReportUnitAsync(new UnitReport
        {
            UnitId = units[i % units.Length], Status = UnitStatus.Available, Position = new GeoPoint { Latitude = 59.9 + (i % 100 / 10000.0), Longitude = 10.75 },
        }).ResponseAsync;
        Task Ping(int i) => noop.PingAsync(new Noop.PingRequest { UnitId = units[i % units.Length] }).ResponseAsync;
        var secured = new Noop.AuthenticatedNoop.AuthenticatedNoopClient(server.As(server.CompanyToken(company)));
        Task SecuredPing(int i) => secured.PingAsync(new Noop.PingRequest { UnitId = units[i % units.Length] }).ResponseAsync;
        Task Read(int i) => secured.ReadAsync(new Noop.PingRequest { UnitId = units[i % units.Length] }).ResponseAsync;

        await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, Report); // warm-up
        await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, Ping);
        // The same reports through the company's feed (StreamUnitReports): a control room with many units
        // sends them on one stream, which pays the call's HTTP/2, token and audit once per stream, not per report.
        async Task<(double Rate, double CpuMicrosPerCall, long Reports)> Feeds(double seconds)
        {
            var cpu = server.CpuTime;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var applied = await Task.WhenAll(Enumerable.Range(0, FeedStreams).Select(async f =>
            {
                using var feed = client.StreamUnitReports();
                for (var i = f; watch.Elapsed.TotalSeconds < seconds; i += FeedStreams)
                {
                    await feed.RequestStream.WriteAsync(new UnitReport
                    {
                        UnitId = units[i % units.Length], Status = UnitStatus.Available, Position = new GeoPoint { Latitude = 59.9 + (i % 100 / 10000.0), Longitude = 10.75 },
                    });
                }

                await feed.RequestStream.CompleteAsync();
                var summary = await feed;
                return summary.Rejected == 0 ? summary.Applied
                    : throw new InvalidOperationException($"feed rejected {summary.Rejected} reports: {summary.Rejections.FirstOrDefault()}");
            }));
            var elapsed = watch.Elapsed.TotalSeconds;
            var total = applied.Sum();
            return (total / elapsed, (server.CpuTime - cpu).TotalMicroseconds / Math.Max(1, total), total);
        }

        // The warm-up also counts the unit grain calls per report (the smoke test holds it to one: every report reaches its unit once).
        const string reportCalls = "grain.calls[IGuardUnitGrain.ReportStatus]";
        var before = (await server.CountersAsync()).GetValueOrDefault(reportCalls);
        var warm = await Feeds(settings.RoundSeconds / 2);
        var unitCallsPerFeedReport = ((await server.CountersAsync()).GetValueOrDefault(reportCalls) - before) / (double)Math.Max(1, warm.Reports);
        var pairs = new List<(double Report, double Noop, double ReportCpu, double NoopCpu, double SecuredCpu, double Read, double ReadCpu, double Feed, double FeedCpu)>();
        for (var p = 0; p < settings.Pairs; p++)
        {
            Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss}) status pair {p + 1}: ReportUnit round");
            var a = await Load.Closed(server, settings.Clients, settings.RoundSeconds, Report);
            Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss}) status pair {p + 1}: no-op round");
            var b = await Load.Closed(server, settings.Clients, settings.RoundSeconds, Ping);
            var c = await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, SecuredPing);
            Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss}) status pair {p + 1}: grain read round");
            var d = await Load.Closed(server, settings.Clients, settings.RoundSeconds, Read);
            Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss}) status pair {p + 1}: feed round");
            var e = await Feeds(settings.RoundSeconds);
            pairs.Add((a.Rate, b.Rate, a.CpuMicrosPerCall, b.CpuMicrosPerCall, c.CpuMicrosPerCall, d.Rate, d.CpuMicrosPerCall, e.Rate, e.CpuMicrosPerCall));
        }

        var ratios = pairs.Select(p => p.Report / p.Noop).Order().ToList();
        report.Add("status reports", $"ReportUnit throughput ({settings.Clients} clients)", Median(pairs.Select(p => p.Report)), "calls/s");
        report.Add("status reports", "no-op unary throughput, same process", Median(pairs.Select(p => p.Noop)), "calls/s");
        report.Add("status reports", $"ratio ReportUnit / no-op (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.6", Median(ratios) >= 0.6,
            $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        report.Add("status reports", "server CPU per ReportUnit", Median(pairs.Select(p => p.ReportCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call", Median(pairs.Select(p => p.NoopCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call behind the gateway's security (token, caller, rate limit)", Median(pairs.Select(p => p.SecuredCpu)), "µs");

        // What stops the ratio: the same secured call plus one grain call that reads the unit (no write,
        // no district). A report reaches its unit's grain, so its ratio cannot pass this one.
        var readRatios = pairs.Select(p => p.Read / p.Noop).Order().ToList();
        report.Add("status reports", "server CPU per secured call that reads the unit's grain (the floor of a report)", Median(pairs.Select(p => p.ReadCpu)), "µs");
        report.Add("status reports", $"ratio grain read / no-op, the ceiling of the report's ratio (median of {pairs.Count})", Median(readRatios), "", "", null,
            $"range {readRatios.First():0.00}-{readRatios.Last():0.00}");
        var feedRatios = pairs.Select(p => p.Feed / p.Noop).Order().ToList();
        report.Add("status reports", $"reports per second through {FeedStreams} feeds (StreamUnitReports)", Median(pairs.Select(p => p.Feed)), "reports/s");
        report.Add("status reports", "server CPU per report through a feed", Median(pairs.Select(p => p.FeedCpu)), "µs");
        report.Add("status reports", "unit grain calls per report through a feed (warm-up round)", unitCallsPerFeedReport, "calls");
        report.Add("status reports", $"ratio feed reports / no-op calls (median of {pairs.Count})", Median(feedRatios), "", ">= 0.6", Median(feedRatios) >= 0.6,
            $"range {feedRatios.First():0.00}-{feedRatios.Last():0.00}");
    }
}
