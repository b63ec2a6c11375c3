using System.Diagnostics;
using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using static Coordination.Bench.Stats;
using ReferenceData = Coordination.Domain.ReferenceData;

namespace Coordination.Bench.Figures;

/// <summary>
/// Whether a decision costs more in a large incident: requests per second into incidents of
/// 1,000 requests against incidents of 20, alternately. An incident keeps all its requests in one
/// grain state and a state is written whole, so the bytes written per decision say why if it does.
/// </summary>
internal sealed class IncidentSizeFigure(IncidentSizeFigure.Settings settings)
{
    public const string Name = "incident-size";

    private const string Section = "incident size";

    /// <param name="Clients">police callers, each with a large incident of its own and a small one at a time</param>
    /// <param name="LargeRequests">requests each large incident holds before it is measured</param>
    /// <param name="Pairs">A/B pairs of runs, small incidents then large</param>
    /// <param name="Seconds">length of each run</param>
    public sealed record Settings(int Clients, int LargeRequests, int Pairs, double Seconds)
    {
        // Eight clients, not sixteen: sixteen incidents took eight minutes to grow to 1,000 here, eight take four.
        public static readonly Settings Full = new(Clients: 8, LargeRequests: 1000, Pairs: 3, Seconds: 4);
        public static readonly Settings Smoke = new(Clients: 4, LargeRequests: 40, Pairs: 2, Seconds: 0.5);
    }

    private sealed record Run(double Rate, double CpuMicros, double BytesWritten);

    /// <summary>Runs the figures on a registered <see cref="CapacityPool"/>.</summary>
    public async Task RunAsync(ServerProcess server, CapacityPool pool, Report report)
    {
        var clients = settings.Clients;
        var small = CapacityFigure.RequestsPerIncident;

        // A district per client while there are districts enough (twelve); beyond, two clients share
        // one, alike in both kinds of run, so the comparison stays even.
        var districts = ReferenceData.Current.Districts;
        var district = Enumerable.Range(0, clients).Select(c => districts[c % districts.Count]).ToArray();
        var police = Enumerable.Range(0, clients).Select(c => server.Police($"bench-size-{c}")).ToArray();
        var opened = 0;
        async Task<string> OpenIncident(int c) => (await police[c].OpenIncidentAsync(new OpenIncidentRequest
        {
            DistrictId = district[c].Id, RequestId = $"size-{c}-{Interlocked.Increment(ref opened)}", Title = "Benchmark", Priority = Priority.Urgent,
            Location = new GeoPoint { Latitude = district[c].Latitude, Longitude = district[c].Longitude },
        })).IncidentId;

        // One decision: a one-guard request, cancelled once answered. The cancel releases its unit, so
        // however many requests an incident holds the pool is never used up; both sizes do the same.
        var sent = 0;
        var unfilled = 0;
        async Task Decide(int c, string incident)
        {
            var requestId = $"size-r{Interlocked.Increment(ref sent)}";
            var request = await police[c].RequestCapacityAsync(new RequestCapacityRequest
            {
                IncidentId = incident, RequestId = requestId, Capability = "static-guarding", Guards = 1, AllowPartial = true,
                Location = new GeoPoint { Latitude = district[c].Latitude, Longitude = district[c].Longitude },
                Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
            });
            if (request.Status != RequestStatus.Filled)
            {
                Interlocked.Increment(ref unfilled);
            }

            await police[c].CancelRequestAsync(new CancelRequestRequest { IncidentId = incident, RequestId = requestId, Reason = "benchmark decision made" });
        }

        var large = new string[clients];
        var current = new string[clients];
        var requestsInCurrent = new int[clients];
        for (var c = 0; c < clients; c++)
        {
            large[c] = await OpenIncident(c);
            current[c] = await OpenIncident(c);
        }

        // The pool's units go stale five minutes after their last report, and growing the large incidents
        // takes longer: a stale pool would leave requests unfilled, cheaper than a decision, so the units
        // are reported alive every two minutes meanwhile.
        using var grown = new CancellationTokenSource();
        var sinceHeartbeat = Stopwatch.StartNew();
        var heartbeats = Task.Run(async () =>
        {
            while (!grown.IsCancellationRequested)
            {
                await pool.HeartbeatAsync(server);
                sinceHeartbeat.Restart();
                await Task.Delay(TimeSpan.FromMinutes(2), grown.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        });

        // The large incidents grow outside the measurement, by the same decisions, every client at once.
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var n = 0; n < settings.LargeRequests; n++)
            {
                await Decide(c, large[c]);
            }
        }));
        Console.WriteLine($"  ({clients} incidents grown to {settings.LargeRequests:N0} requests each in {watch.Elapsed.TotalSeconds:0.0} s"
            + $"{(unfilled > 0 ? $", {unfilled} requests not filled" : "")})");
        unfilled = 0;
        await grown.CancelAsync();
        await heartbeats;

        // Units write their heartbeats within 15 s of them: those writes are let pass before the clock starts.
        var settling = TimeSpan.FromSeconds(20) - sinceHeartbeat.Elapsed;
        if (settling > TimeSpan.Zero)
        {
            await Task.Delay(settling);
        }

        async Task<Run> Measure(Func<int, Task> decide)
        {
            var profile = await Profile.StartAsync(server);
            var (rate, cpuMicros, calls) = await Load.Closed(server, clients, settings.Seconds, decide);
            return new(rate, cpuMicros, await profile.PerCallAsync("coordination.storage.written[", calls));
        }

        var pairs = new List<(Run Small, Run Large)>();
        for (var p = 0; p < settings.Pairs; p++)
        {
            // As in the durable figure: a full small incident is closed and the next opened inside the
            // loop, so the small runs carry their share of opens and closes (the large ones need none).
            var smallRun = await Measure(async i =>
            {
                var c = i % clients;
                if (++requestsInCurrent[c] > small)
                {
                    Load.CloseLater(police[c], current[c]);
                    current[c] = await OpenIncident(c);
                    requestsInCurrent[c] = 1;
                }

                await Decide(c, current[c]);
            });
            var largeRun = await Measure(i => Decide(i % clients, large[i % clients]));
            pairs.Add((smallRun, largeRun));
        }

        // The large incidents grew by the measured requests too; the figure names the size they started at.
        var largeName = $"{settings.LargeRequests:N0}";
        var ratios = pairs.Select(p => p.Large.Rate / p.Small.Rate).Order().ToList();
        report.Add(Section, $"requests per second into incidents of {small} ({clients} clients, each cancelled once answered)", Median(pairs.Select(p => p.Small.Rate)), "req/s",
            note: unfilled > 0 ? $"{unfilled} measured requests (both sizes) not filled" : "");
        report.Add(Section, $"requests per second into incidents of {largeName}", Median(pairs.Select(p => p.Large.Rate)), "req/s");
        report.Add(Section, $"ratio incidents of {largeName} / of {small} (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.9", Median(ratios) >= 0.9,
            $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        report.Add(Section, $"grain state bytes written per request (with its cancel), incidents of {small}", Median(pairs.Select(p => p.Small.BytesWritten)), "bytes");
        report.Add(Section, $"grain state bytes written per request (with its cancel), incidents of {largeName}", Median(pairs.Select(p => p.Large.BytesWritten)), "bytes");
        report.Add(Section, $"server CPU per request (with its cancel), incidents of {small}", Median(pairs.Select(p => p.Small.CpuMicros)), "µs");
        report.Add(Section, $"server CPU per request (with its cancel), incidents of {largeName}", Median(pairs.Select(p => p.Large.CpuMicros)), "µs");
    }
}
