using System.Diagnostics;
using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using static Coordination.Bench.Stats;

namespace Coordination.Bench.Figures;

/// <summary>
/// Time from a police bulletin's issue to its arrival at the last of K company streams
/// (WatchBulletins), all on one gateway: K companies with one available unit each inside a circle
/// around Oslo S, each watching its own feed with its own token; every bulletin goes to all of them
/// (ALL_IN_AREA, the circle). Issue #14's goal: 1,000 streams, the last within 1 s.
/// </summary>
internal sealed class BulletinFanOutFigure(BulletinFanOutFigure.Settings settings)
{
    public const string Name = "bulletins";

    /// <summary>The number of streams the goal (last stream within 1 s) is judged at.</summary>
    private const int JudgedStreams = 1000;

    private const double GoalMs = 1000;

    private const string District = "oslo";

    // Oslo S. The units stand within UnitsWithinKm of it; the bulletin's circle is wider, so rounding
    // in the spread can never leave a unit out.
    private const double Latitude = 59.9111;
    private const double Longitude = 10.7528;
    private const double UnitsWithinKm = 3;
    private const double AreaRadiusKm = 5;

    // Bounds, so a broken server stops the figure with a reason instead of hanging the run.
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RoundTimeout = TimeSpan.FromSeconds(60);

    /// <param name="Streams">companies, one unit and one bulletin stream each</param>
    /// <param name="Rounds">measured bulletins, issued one at a time (a warm-up bulletin comes first)</param>
    public sealed record Settings(int Streams, int Rounds)
    {
        public static readonly Settings Full = new(Streams: 1000, Rounds: 5);
        public static readonly Settings Smoke = new(Streams: 20, Rounds: 1);
    }

    public async Task RunAsync(ServerProcess server, Report report)
    {
        var k = settings.Streams;
        var companies = Enumerable.Range(0, k).Select(i => $"bench-bulletin-{i:D5}").ToArray();
        var setup = Stopwatch.StartNew();
        await RegisterAsync(server, companies);

        // The streams on a channel of their own (as the dashboard fan-out's viewers): the police's
        // IssueBulletin call does not queue behind a thousand streams on the same connections.
        using var channel = GrpcChannel.ForAddress(server.Channel.Target.StartsWith("http", StringComparison.Ordinal) ? server.Channel.Target : $"http://{server.Channel.Target}",
            new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan } });
        var arrivals = new Arrivals(k);
        using var stop = new CancellationTokenSource();
        var calls = companies.Select(c => new BulletinService.BulletinServiceClient(ServerProcess.On(channel, server.CompanyToken(c)))
            .WatchBulletins(new WatchBulletinsRequest { CompanyId = c }, cancellationToken: stop.Token)).ToList();
        var readers = calls.Select((call, i) => ReadAsync(call, i, arrivals, stop.Token)).ToList();
        var police = new BulletinService.BulletinServiceClient(server.As(server.PoliceToken("bench-bulletins-police")));
        try
        {
            // A stream sends nothing, headers included, until its first event, so the only sign that a
            // stream is subscribed is an event: the warm-up bulletin reaches every stream either live or,
            // for a stream that subscribed after it was delivered, as outstanding on its first page.
            var warmUp = await IssueAsync(police, arrivals, "warm-up", companies);
            await arrivals.AllArrived.WaitAsync(ConnectTimeout);
            Console.WriteLine($"  ({k:N0} companies registered and their streams subscribed in {setup.Elapsed.TotalSeconds:0.0} s; warm-up bulletin: reply {warmUp.ReplyMs:0} ms, last stream {arrivals.Last(warmUp.Started):0} ms)");

            var first = new List<double>();
            var last = new List<double>();
            var median = new List<double>();
            var replies = new List<double>();
            var cpu = server.CpuTime;
            for (var round = 0; round < settings.Rounds; round++)
            {
                var issued = await IssueAsync(police, arrivals, $"round-{round}", companies);
                await arrivals.AllArrived.WaitAsync(RoundTimeout);
                first.Add(arrivals.First(issued.Started));
                last.Add(arrivals.Last(issued.Started));
                median.Add(arrivals.Median(issued.Started));
                replies.Add(issued.ReplyMs);
            }

            var cpuPerBulletin = (server.CpuTime - cpu).TotalMilliseconds / settings.Rounds;
            var (workingSet, heap) = await server.MemoryAfterFullGcAsync();

            var judged = k == JudgedStreams;
            var max = last.Max();
            report.Add("bulletins", $"issue to last of {k:N0} company streams: p50", Percentile(last, 0.5), "ms");
            report.Add("bulletins", $"issue to last of {k:N0} company streams: max", max, "ms", judged ? $"max <= {GoalMs:0} ms" : "", judged ? max <= GoalMs : null,
                $"{last.Count} bulletins, one at a time, each to all {k:N0}");
            report.Add("bulletins", $"issue to median of {k:N0} company streams: p50", Percentile(median, 0.5), "ms");
            report.Add("bulletins", $"issue to first of {k:N0} company streams: p50", Percentile(first, 0.5), "ms", note: "what comes before any delivery: finding the recipients, storing the bulletin");
            report.Add("bulletins", $"IssueBulletin reply, {k:N0} recipients: p50", Percentile(replies, 0.5), "ms", note: $"max {replies.Max():0} ms; the reply waits until every feed has stored its delivery");
            report.Add("bulletins", $"server CPU per bulletin to {k:N0} companies", cpuPerBulletin, "ms");
            report.Add("bulletins", $"server working set after full GC, {k:N0} bulletin streams open", workingSet / 1024.0 / 1024.0, "MiB",
                note: $"managed heap {heap / 1024.0 / 1024.0:0} MiB; the whole server, with what earlier figures left in it");
        }
        finally
        {
            await stop.CancelAsync();
            calls.ForEach(c => c.Dispose());
            await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>One unit per company, somewhere within <see cref="UnitsWithinKm"/> of Oslo S, reported available there.</summary>
    private static async Task RegisterAsync(ServerProcess server, string[] companies)
    {
        // A few calls at a time: setting up is not measured, and the machine is shared.
        await Parallel.ForEachAsync(companies.Select((c, i) => (Company: c, Index: i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            var position = Spread(c.Index, companies.Length);
            var client = server.Company(c.Company);
            await client.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units = { new UnitRegistration { UnitId = "u1", Headcount = 2, HomeDistrict = District, Capabilities = { "patrol" }, Position = position } },
            }, cancellationToken: ct);
            await client.ReportUnitAsync(new UnitReport { UnitId = "u1", Status = UnitStatus.Available, Position = position }, cancellationToken: ct);
        });
    }

    /// <summary>The i-th of n points spread evenly over the disc (a sunflower pattern), as latitude and longitude.</summary>
    private static GeoPoint Spread(int i, int n)
    {
        var distanceKm = UnitsWithinKm * Math.Sqrt((i + 0.5) / n);
        var angle = i * Math.PI * (3 - Math.Sqrt(5));
        const double kmPerDegree = 111.32;
        return new GeoPoint
        {
            Latitude = Latitude + (distanceKm * Math.Sin(angle) / kmPerDegree),
            Longitude = Longitude + (distanceKm * Math.Cos(angle) / (kmPerDegree * Math.Cos(Latitude * Math.PI / 180))),
        };
    }

    /// <summary>
    /// Issues one bulletin to everyone in the circle, timed from the call's start; the streams are told
    /// to look for it first. Refuses to go on if the bulletin missed one of the companies (then a
    /// stream would wait for it in vain).
    /// </summary>
    private static async Task<(long Started, double ReplyMs)> IssueAsync(BulletinService.BulletinServiceClient police, Arrivals arrivals, string id, string[] companies)
    {
        arrivals.Expect($"{District}.bench-{id}");
        var started = Stopwatch.GetTimestamp();
        var bulletin = await police.IssueBulletinAsync(new IssueBulletinRequest
        {
            DistrictId = District,
            BulletinId = $"bench-{id}",
            MessageType = BulletinMessageType.Alert,
            Kind = "wanted-vehicle",
            Headline = "Grey Volvo V70, AB 12345, sought",
            Description = "Seen leaving Oslo S southbound after a robbery (benchmark bulletin).",
            Instruction = "Report sightings to Oslo police at once.",
            Urgency = BulletinUrgency.Immediate,
            Severity = BulletinSeverity.Severe,
            Certainty = BulletinCertainty.Observed,
            Status = BulletinStatus.Exercise,
            Area = new BulletinArea { Circle = new Circle { Centre = new GeoPoint { Latitude = Latitude, Longitude = Longitude }, RadiusKm = AreaRadiusKm } },
            Audience = new BulletinAudience { Kind = BulletinAudienceKind.AllInArea },
            Tlp = Tlp.Amber,
            Expires = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)),
        });
        var replyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var missing = companies.Except(bulletin.Recipients.Select(r => r.CompanyId)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"bulletin {bulletin.Id} went to {bulletin.RecipientsTotal} companies and missed {missing.Count} of the {companies.Length} watching (first: {missing[0]})");
        }

        return (started, replyMs);
    }

    private static async Task ReadAsync(AsyncServerStreamingCall<BulletinEvent> call, int stream, Arrivals arrivals, CancellationToken stop)
    {
        try
        {
            await foreach (var e in call.ResponseStream.ReadAllAsync(stop))
            {
                arrivals.Seen(stream, e.Bulletin.Id);
            }

            arrivals.Failed(new InvalidOperationException($"stream {stream} ended"));
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // The figure is done and cancelled its streams.
        }
        catch (Exception e)
        {
            arrivals.Failed(e);
        }
    }

    /// <summary>When each stream first saw the bulletin it waits for; done when all have, failed when a stream breaks.</summary>
    private sealed class Arrivals(int streams)
    {
        private readonly long[] _at = new long[streams];
        private string _expected = "";
        private int _left;
        private TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // A stream that broke between two bulletins fails the next one at once instead of by its timeout.
        private Exception? _failure;

        public Task AllArrived => Volatile.Read(ref _all).Task;

        /// <summary>Called before the bulletin is issued, and only once the previous one reached every stream.</summary>
        public void Expect(string bulletinId)
        {
            Array.Clear(_at);
            Volatile.Write(ref _left, _at.Length);
            Volatile.Write(ref _all, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            Volatile.Write(ref _expected, bulletinId);
            if (Volatile.Read(ref _failure) is { } failure)
            {
                _all.TrySetException(failure);
            }
        }

        public void Seen(int stream, string bulletinId)
        {
            var now = Stopwatch.GetTimestamp();
            if (bulletinId == Volatile.Read(ref _expected) && Interlocked.CompareExchange(ref _at[stream], now, 0) == 0 && Interlocked.Decrement(ref _left) == 0)
            {
                Volatile.Read(ref _all).TrySetResult();
            }
        }

        public void Failed(Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Read(ref _all).TrySetException(e);
        }

        public double First(long started) => Stopwatch.GetElapsedTime(started, _at.Min()).TotalMilliseconds;

        public double Last(long started) => Stopwatch.GetElapsedTime(started, _at.Max()).TotalMilliseconds;

        public double Median(long started) => Stats.Median(_at.Select(at => Stopwatch.GetElapsedTime(started, at).TotalMilliseconds));
    }
}
