using Coordination.Api.V1;
using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>Status reports through the gateway against a no-op unary call in the same process, alternately.</summary>
internal sealed class StatusFigure(StatusFigure.Settings settings)
{
    public const string Name = "status";

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

        await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, Report); // warm-up
        await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, Ping);
        var pairs = new List<(double Report, double Noop, double ReportCpu, double NoopCpu, double SecuredCpu)>();
        for (var p = 0; p < settings.Pairs; p++)
        {
            var a = await Load.Closed(server, settings.Clients, settings.RoundSeconds, Report);
            var b = await Load.Closed(server, settings.Clients, settings.RoundSeconds, Ping);
            var c = await Load.Closed(server, settings.Clients, settings.RoundSeconds / 2, SecuredPing);
            pairs.Add((a.Rate, b.Rate, a.CpuMicrosPerCall, b.CpuMicrosPerCall, c.CpuMicrosPerCall));
        }

        var ratios = pairs.Select(p => p.Report / p.Noop).Order().ToList();
        report.Add("status reports", $"ReportUnit throughput ({settings.Clients} clients)", Median(pairs.Select(p => p.Report)), "calls/s");
        report.Add("status reports", "no-op unary throughput, same process", Median(pairs.Select(p => p.Noop)), "calls/s");
        report.Add("status reports", $"ratio ReportUnit / no-op (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.6", Median(ratios) >= 0.6,
            $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        report.Add("status reports", "server CPU per ReportUnit", Median(pairs.Select(p => p.ReportCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call", Median(pairs.Select(p => p.NoopCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call behind the gateway's security (token, caller, rate limit)", Median(pairs.Select(p => p.SecuredCpu)), "µs");
    }
}
