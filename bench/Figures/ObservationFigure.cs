using System.Diagnostics;
using Coordination.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>
/// Guard observations (issue #15) on one node: how many reports per second it stores and queues with
/// C clients reporting at once (one company each, text only, and with one photo each), what a report
/// costs the server, and the delay from a report's call to its arrival on the district's queue stream
/// — one report at a time (the operations centre's view on a quiet day) and under the full load.
/// </summary>
internal sealed class ObservationFigure(ObservationFigure.Settings settings)
{
    public const string Name = "observations";

    private const double GoalMs = 1000;

    private const string District = "innlandet";

    // Hamar: well inside Innlandet, so every report is routed there by its position.
    private const double Latitude = 60.7945;
    private const double Longitude = 11.0680;

    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    /// <param name="Clients">companies reporting at once, one unit each</param>
    /// <param name="Seconds">how long each load phase runs</param>
    /// <param name="MaxReports">a bound on the reports of one load phase</param>
    /// <param name="Quiet">reports made one at a time for the quiet delay</param>
    /// <param name="PhotoBytes">the size of the photo in the photo phase</param>
    public sealed record Settings(int Clients, int Seconds, int MaxReports, int Quiet, int PhotoBytes)
    {
        public static readonly Settings Full = new(Clients: 32, Seconds: 10, MaxReports: 50_000, Quiet: 50, PhotoBytes: 200 * 1024);
        public static readonly Settings Smoke = new(Clients: 2, Seconds: 1, MaxReports: 20, Quiet: 3, PhotoBytes: 4 * 1024);
    }

    public async Task RunAsync(ServerProcess server, Report report)
    {
        var companies = Enumerable.Range(0, settings.Clients).Select(i => $"bench-observer-{i:D3}").ToArray();
        foreach (var company in companies)
        {
            await server.Company(company).RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units = { new UnitRegistration { UnitId = "u1", Headcount = 2, HomeDistrict = District, Capabilities = { "patrol" }, Position = Here } },
            });
        }

        var clients = companies.Select(c => new ObservationService.ObservationServiceClient(server.As(server.CompanyToken(c)))).ToArray();
        var police = new ObservationService.ObservationServiceClient(server.As(server.PoliceToken("bench-observations-police")));
        using var stop = new CancellationTokenSource();
        var arrivals = new Arrivals();
        using var queue = police.WatchObservationQueue(new WatchObservationQueueRequest { DistrictId = District }, cancellationToken: stop.Token);
        var reader = ReadAsync(queue, arrivals, stop.Token);
        try
        {
            // Warm-up, and the sign that the stream is subscribed: its own report arrives.
            await ReportAsync(clients[0], "warm-up", arrivals, photo: null).WaitAsync(StreamTimeout);

            var quiet = new List<double>();
            for (var i = 0; i < settings.Quiet; i++)
            {
                var (_, delay) = await ReportAsync(clients[i % clients.Length], $"quiet-{i}", arrivals, photo: null);
                quiet.Add(await delay.WaitAsync(StreamTimeout));
            }

            report.Add("observations", "report to the district's queue stream, one at a time: p50", Percentile(quiet, 0.5), "ms");
            report.Add("observations", "report to the district's queue stream, one at a time: p99", Percentile(quiet, 0.99), "ms", $"p99 <= {GoalMs:0} ms", Percentile(quiet, 0.99) <= GoalMs,
                $"{quiet.Count} reports; issue #15: in the queue within a second");

            await LoadAsync(server, report, clients, arrivals, "text only", photo: null);
            var photo = new byte[settings.PhotoBytes];
            Random.Shared.NextBytes(photo);
            photo[0] = 0xFF;
            photo[1] = 0xD8;
            photo[2] = 0xFF;
            await LoadAsync(server, report, clients, arrivals, $"one {settings.PhotoBytes / 1024} KiB photo", photo);
        }
        finally
        {
            await stop.CancelAsync();
            await reader.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static GeoPoint Here => new() { Latitude = Latitude, Longitude = Longitude };

    /// <summary>Every client reports back to back for the phase's time (bounded in count); rate, reply and stream delay.</summary>
    private async Task LoadAsync(ServerProcess server, Report report, ObservationService.ObservationServiceClient[] clients, Arrivals arrivals, string what, byte[]? photo)
    {
        var replies = new List<double>[clients.Length];
        var delays = new List<Task<double>>[clients.Length];
        var left = settings.MaxReports;
        var cpu = server.CpuTime;
        var started = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (client, c) =>
        {
            replies[c] = [];
            delays[c] = [];
            var n = 0;
            while (started.Elapsed.TotalSeconds < settings.Seconds && Interlocked.Decrement(ref left) >= 0)
            {
                var (reply, delay) = await ReportAsync(client, $"{what.Replace(' ', '-')}-{c}-{n++}", arrivals, photo);
                replies[c].Add(reply);
                delays[c].Add(delay);
            }
        }));
        var elapsed = started.Elapsed.TotalSeconds;
        var count = replies.Sum(r => r.Count);
        var cpuPerReport = (server.CpuTime - cpu).TotalMilliseconds / count;
        var arrived = await Task.WhenAll(delays.SelectMany(d => d)).WaitAsync(StreamTimeout);
        var all = replies.SelectMany(r => r).ToList();

        report.Add("observations", $"observations stored per second, {clients.Length} clients, {what}", count / elapsed, "/s", note: $"{count:N0} reports in {elapsed:0.0} s");
        report.Add("observations", $"ReportObservation reply, {what}: p50 / p99", Percentile(all, 0.5), "ms", note: $"p99 {Percentile(all, 0.99):0} ms");
        report.Add("observations", $"server CPU per observation, {what}", cpuPerReport, "ms");
        report.Add("observations", $"report to the queue stream under that load, {what}: p99", Percentile([.. arrived], 0.99), "ms", note: $"p50 {Percentile([.. arrived], 0.5):0} ms");
    }

    /// <summary>One report; returns its reply time and a task for its arrival on the queue stream, timed from the call's start.</summary>
    private static async Task<(double ReplyMs, Task<double> Arrival)> ReportAsync(ObservationService.ObservationServiceClient client, string id, Arrivals arrivals, byte[]? photo)
    {
        var request = new ReportObservationRequest
        {
            ObservationId = id,
            UnitId = "u1",
            SeenAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Position = Here,
            Category = "suspicious-vehicle",
            Text = "Grey Volvo V70 circling the car park (benchmark observation).",
        };
        if (photo is not null)
        {
            request.Photos.Add(new PhotoUpload { ContentType = "image/jpeg", Data = ByteString.CopyFrom(photo) });
        }

        var started = Stopwatch.GetTimestamp();
        var arrival = arrivals.Expect(id, started);
        await client.ReportObservationAsync(request);
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, arrival);
    }

    private static async Task ReadAsync(AsyncServerStreamingCall<ObservationEvent> call, Arrivals arrivals, CancellationToken stop)
    {
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(stop))
            {
                arrivals.Seen(e.Observation.Id);
            }

            arrivals.Failed(new InvalidOperationException("the queue stream ended"));
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The figure is done and cancelled its stream.
        }
        catch (Exception e)
        {
            arrivals.Failed(e);
        }
    }

    /// <summary>Reports waiting for their queue event, by their local id (the stream names "company/id").</summary>
    private sealed class Arrivals
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Started, TaskCompletionSource<double> Arrived)> _waiting = new(StringComparer.Ordinal);

        public Task<double> Expect(string id, long started)
        {
            var arrived = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[id] = (started, arrived);
            return arrived.Task;
        }

        public void Seen(string observationId)
        {
            var local = observationId[(observationId.IndexOf('/', StringComparison.Ordinal) + 1)..];
            if (_waiting.TryRemove(local, out var waiting))
            {
                waiting.Arrived.TrySetResult(Stopwatch.GetElapsedTime(waiting.Started).TotalMilliseconds);
            }
        }

        public void Failed(Exception e)
        {
            foreach (var waiting in _waiting.Values)
            {
                waiting.Arrived.TrySetException(e);
            }
        }
    }
}
