using System.Diagnostics;
using Coordination.Api.V1;
using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>
/// Time from a status change to its arrival at the last of K viewers of the district, all on one
/// gateway. A change is a unit going available or unavailable; each viewer waits for the figures
/// that show it.
/// </summary>
internal sealed class FanOutFigure(FanOutFigure.Settings settings)
{
    public const string Name = "fan-out";

    /// <summary>The number of viewers the goal (p99 &lt;= 100 ms) is judged at.</summary>
    private const int JudgedViewers = 1000;

    /// <param name="Viewers">the numbers of viewers, one run each</param>
    /// <param name="Changes">measured changes per run (one more warms up)</param>
    public sealed record Settings(int[] Viewers, int Changes)
    {
        public static readonly Settings Full = new(Viewers: [1, 100, 1000, 5000], Changes: 100);
        public static readonly Settings Smoke = new(Viewers: [1, 20], Changes: 3);
    }

    public async Task RunAsync(ServerProcess server, Report report)
    {
        const string district = "finnmark";
        const string company = "bench-fanout";
        var control = server.Company(company);
        await control.RegisterUnitsAsync(new RegisterUnitsRequest
        {
            Units = { new UnitRegistration { UnitId = "f1", Headcount = 1, HomeDistrict = district, Capabilities = { "cctv-monitoring" } } },
        });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Channel.Target.StartsWith("http", StringComparison.Ordinal) ? server.Channel.Target : $"http://{server.Channel.Target}",
            new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
        var viewer = new DashboardService.DashboardServiceClient(server.ViewerOn(channel, district));
        var available = false;
        foreach (var k in settings.Viewers)
        {
            var watches = Enumerable.Range(0, k).Select(_ => viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = district })).ToList();
            try
            {
                await Task.WhenAll(watches.Select(w => w.ResponseStream.MoveNext(CancellationToken.None)));
                var lastArrivals = new List<double>();
                for (var change = 0; change < settings.Changes + 1; change++)
                {
                    available = !available;
                    var expected = available ? 1 : 0;
                    var watch = Stopwatch.StartNew();
                    var arrivals = watches.Select(async w =>
                    {
                        while (await w.ResponseStream.MoveNext(CancellationToken.None))
                        {
                            if (w.ResponseStream.Current.Capacity.ByCapability.Single(c => c.Capability == "cctv-monitoring").AvailableUnits == expected)
                            {
                                return watch.Elapsed.TotalMilliseconds;
                            }
                        }

                        return double.NaN;
                    }).ToList();
                    await control.ReportUnitAsync(new UnitReport { UnitId = "f1", Status = available ? UnitStatus.Available : UnitStatus.Unavailable });
                    var times = await Task.WhenAll(arrivals).WaitAsync(TimeSpan.FromSeconds(30));
                    if (change > 0)
                    {
                        lastArrivals.Add(times.Max()); // the first change warms up
                    }
                }

                var judged = k == JudgedViewers;
                var p99 = Percentile(lastArrivals, 0.99);
                report.Add("fan-out", $"change to last of {k:N0} viewers: p50", Percentile(lastArrivals, 0.5), "ms");
                report.Add("fan-out", $"change to last of {k:N0} viewers: p99", p99, "ms", judged ? "p99 <= 100 ms" : "", judged ? p99 <= 100 : null,
                    $"{lastArrivals.Count} changes; districts tell dashboards at most every 50 ms");
            }
            finally
            {
                watches.ForEach(w => w.Dispose());
            }
        }
    }
}
