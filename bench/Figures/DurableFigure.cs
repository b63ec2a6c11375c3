using System.Diagnostics;
using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using static Coordination.Bench.Stats;
using ReferenceData = Coordination.Domain.ReferenceData;

namespace Coordination.Bench.Figures;

/// <summary>Commitments made durable per second against a raw single-row commit loop on the same store, alternately.</summary>
internal sealed class DurableFigure(DurableFigure.Settings settings, string section = "durable decisions")
{
    public const string Name = "durable";

    /// <summary>Police callers, each working through incidents of its own.</summary>
    private const int Clients = 16;

    /// <param name="Pairs">A/B pairs of runs, commitments then raw commits</param>
    /// <param name="Seconds">length of each run</param>
    public sealed record Settings(int Pairs, double Seconds)
    {
        public static readonly Settings Full = new(Pairs: 3, Seconds: 3);
        public static readonly Settings Smoke = new(Pairs: 2, Seconds: 0.4);
    }

    /// <summary>Runs the figures on a registered <see cref="CapacityPool"/>, against the server's SQLite file.</summary>
    public Task RunAsync(ServerProcess server, Report report) =>
        RunAsync(server, report, new SqliteRawCommits(Path.Combine(server.DataDirectory, "coordination.db")));

    /// <summary>Runs the figures on a registered <see cref="CapacityPool"/>, against the raw loop given (on the server's own store).</summary>
    public async Task RunAsync(ServerProcess server, Report report, IRawCommits rawCommits)
    {
        // Each client works through incidents of RequestsPerIncident requests each, as in the capacity figures.
        var districts = ReferenceData.Current.Districts;
        var police = Enumerable.Range(0, Clients).Select(c => server.Police($"bench-durable-{c}")).ToArray();
        var incidentNumber = 0;
        async Task<string> OpenIncident(int c)
        {
            var district = districts[c % districts.Count];
            return (await police[c].OpenIncidentAsync(new OpenIncidentRequest
            {
                DistrictId = district.Id, RequestId = $"durable-{c}-{Interlocked.Increment(ref incidentNumber)}", Title = "Benchmark", Priority = Priority.Urgent,
                Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
            })).IncidentId;
        }

        var incidents = new string[Clients];
        var requestsIn = new int[Clients];
        for (var c = 0; c < Clients; c++)
        {
            incidents[c] = await OpenIncident(c);
        }

        // Commitments (a unit committed to a request) per second, with requests of `guards` one-guard units each.
        var next = 0;
        async Task<double> Commitments(int guards)
        {
            var committedGuards = 0L;
            var watch = Stopwatch.StartNew();
            await Load.Closed(server, Clients, settings.Seconds, async i =>
            {
                var c = i % Clients;
                var district = districts[c % districts.Count];
                if (++requestsIn[c] > CapacityFigure.RequestsPerIncident)
                {
                    // Opened outside the measured call's own work would hide its cost: it is part of the loop.
                    // The finished incident is closed (its units released), as in the capacity figures.
                    Load.CloseLater(police[c], incidents[c]);
                    incidents[c] = await OpenIncident(c);
                    requestsIn[c] = 1;
                }

                var request = await police[c].RequestCapacityAsync(new RequestCapacityRequest
                {
                    IncidentId = incidents[c], RequestId = $"d{Interlocked.Increment(ref next)}", Capability = "patrol", Guards = guards, AllowPartial = true,
                    Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                    Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
                });
                Interlocked.Add(ref committedGuards, request.CommittedGuards);
                return true;
            });
            return committedGuards / watch.Elapsed.TotalSeconds;
        }

        var pairs = new List<(double Commitments, double Raw)>();
        var countersBefore = await server.CountersAsync();
        for (var p = 0; p < settings.Pairs; p++)
        {
            var commitments = await Commitments(guards: 1);
            var raw = await rawCommits.RunAsync(settings.Seconds);
            pairs.Add((commitments, raw));
        }

        // Grain state writes and the group commits they went in (on SQLite audit batches share those commits too).
        var counters = await server.CountersAsync();
        long Since(Func<string, bool> which) => counters.Where(kv => which(kv.Key)).Sum(kv => kv.Value - countersBefore.GetValueOrDefault(kv.Key));
        var groups = Since(k => k == "coordination.storage.commits");
        var writes = Since(k => k.StartsWith("coordination.storage.writes[", StringComparison.Ordinal));

        // The same with requests of five guards, as operations centres mostly ask: the request's own
        // work (gateway, matching, the offer) is shared by its commitments. For information; the goal is
        // judged on the one-guard figure above.
        var several = await Commitments(guards: 5);
        var severalRaw = await rawCommits.RunAsync(settings.Seconds);

        var ratios = pairs.Select(p => p.Commitments / p.Raw).Order().ToList();
        report.Add(section, $"commitments persisted ({Clients} clients)", Median(pairs.Select(p => p.Commitments)), "per s");
        report.Add(section, $"raw single-row commits, {rawCommits.Describe()}", Median(pairs.Select(p => p.Raw)), "per s");
        report.Add(section, $"ratio (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.5", Median(ratios) >= 0.5, $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        if (groups > 0)
        {
            report.Add(section, "grain state writes per group commit", writes / (double)groups, "", note: $"{writes:N0} writes in {groups:N0} commits");
        }

        report.Add(section, $"commitments persisted, requests of 5 guards ({Clients} clients)", several, "per s");
        report.Add(section, "ratio with requests of 5 guards (one pair, for information)", several / severalRaw, "");
    }
}
