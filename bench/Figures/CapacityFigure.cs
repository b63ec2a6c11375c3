using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using static Coordination.Bench.Stats;
using ReferenceData = Coordination.Domain.ReferenceData;

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
        var districts = ReferenceData.Current.Districts;

        // Every client works through incidents of RequestsPerIncident requests each (opened before
        // the clock starts), so one client at a high rate measures requests, not one giant incident.
        var run = 0;
        async Task<Func<int, Task<bool>>[]> Clients(int count, double expectedRequests)
        {
            run++;
            var clients = new Func<int, Task<bool>>[count];
            var incidentsEach = (int)Math.Ceiling(expectedRequests / count / RequestsPerIncident) + 1;
            for (var c = 0; c < count; c++)
            {
                var district = districts[(c + run) % districts.Count];
                var police = server.Police($"bench-police-{c}");
                var ids = new string[incidentsEach];
                for (var n = 0; n < incidentsEach; n++)
                {
                    ids[n] = (await police.OpenIncidentAsync(new OpenIncidentRequest
                    {
                        DistrictId = district.Id, RequestId = $"run{run}-client{c}-{n}", Title = "Benchmark", Priority = Priority.Urgent,
                        Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                    })).IncidentId;
                }

                var sent = 0;
                var answered = new int[ids.Length];
                clients[c] = async i =>
                {
                    var n = Math.Min((Interlocked.Increment(ref sent) - 1) / RequestsPerIncident, ids.Length - 1);
                    var filled = (await police.RequestCapacityAsync(new RequestCapacityRequest
                    {
                        IncidentId = ids[n], RequestId = $"r{i}", Capability = "static-guarding", Guards = 1, AllowPartial = true,
                        Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                        Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
                    })).Status == RequestStatus.Filled;

                    // An incident whose requests have all been answered is closed, which releases its
                    // units, as operations centres do, so the pool is not used up by the load itself.
                    // (The last one takes any requests beyond the estimate and stays open.)
                    if (Interlocked.Increment(ref answered[n]) == RequestsPerIncident && n < ids.Length - 1)
                    {
                        Load.CloseLater(police, ids[n]);
                    }

                    return filled;
                };
            }

            return clients;
        }

        // The closed-loop maximum: 64 clients as fast as they can (a generous guess at how many requests that is).
        var closedClients = await Clients(MaximumClients, 1500 * settings.Seconds * 1.5);
        await Load.Closed(server, MaximumClients, settings.Seconds / 2, i => closedClients[i % MaximumClients](i + 1_000_000)); // warm-up
        Console.WriteLine($"  (closed-loop maximum run: {settings.Seconds} s from {DateTimeOffset.UtcNow:HH:mm:ss})");
        var profile = await Profile.StartAsync(server);
        var maxRun = await Load.Closed(server, MaximumClients, settings.Seconds, i => closedClients[i % MaximumClients](i));
        var max = maxRun.Rate;
        report.Add("capacity requests", $"maximum rate, {MaximumClients} clients, request to fully committed", max, "req/s");

        // Steadier than the rate on a shared machine: the server's own CPU time over the run, per request
        // (with its share of the incidents closed meanwhile).
        report.Add("capacity requests", $"server CPU per RequestCapacity at the maximum (with its share of closes)", maxRun.CpuMicrosPerCall, "µs");
        await profile.ReportAsync(report, "capacity requests", "RequestCapacity at the maximum (with its share of closes)", maxRun.Calls);

        foreach (var fraction in new[] { 0.5, 0.8 })
        {
            foreach (var count in settings.ClientCounts)
            {
                var clients = await Clients(count, max * fraction * settings.Seconds);
                var (latencies, unfilled) = await Load.Open(max * fraction, count, settings.Seconds, clients);
                var judged = count == JudgedClients;
                var p99 = Percentile(latencies, 0.99);
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p50", Percentile(latencies, 0.5), "ms");
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p99", p99, "ms", judged ? "p99 <= 50 ms" : "", judged ? p99 <= 50 : null,
                    $"{latencies.Count} requests{(unfilled > 0 ? $", {unfilled} not filled" : "")}");
            }
        }

        return max;
    }
}
