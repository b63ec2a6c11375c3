using System.Diagnostics;
using Coordination.Api.V1;
using ReferenceData = Coordination.Domain.ReferenceData;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using V1 = Coordination.Api.V1;

namespace Coordination.Bench;

/// <summary>Runs every measurement against a fresh system and reports the figures beside their goals.</summary>
public static class Driver
{
    private sealed record Scale(
        int StatusUnits, int StatusClients, double RoundSeconds, int Pairs,
        int UnitsPerDistrict, double CapacitySeconds, int[] ClientCounts,
        int DurablePairs, double DurableSeconds, int DensityUnits, int DensityIncidents,
        int[] Viewers, int FanOutChanges);

    private static readonly Scale Full = new(1000, 64, 3, 5, 4200, 5, [1, 16, 64, 256], 3, 3, 100_000, 1000, [1, 100, 1000, 5000], 100);
    private static readonly Scale Smoke = new(100, 8, 0.4, 2, 150, 0.6, [1, 16], 2, 0.4, 2_000, 20, [1, 20], 3);

    // Requests per incident in the capacity and durability figures: operations centres spread their
    // requests over incidents; one incident with thousands of requests would measure its own size.
    private const int RequestsPerIncident = 20;

    private static readonly string[] Districts = [.. ReferenceData.Current.Districts.Select(d => d.Id)];

    public static async Task<int> RunAsync(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var json = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault() ?? "bench-results.json";
        var scale = smoke ? Smoke : Full;

        // --only status,fanout runs just those figures (names as in the table's first column); --server
        // passes one setting to the server process (--server --Coordination:Orleans:Dashboard=false).
        var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? [];
        bool Runs(string figure) => only.Length == 0 || only.Contains(figure);
        var serverSettings = args.Select((a, i) => (a, i)).Where(x => x.a == "--server" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray();
        var report = new Report();
        var root = Path.Combine(Path.GetTempPath(), "coordination-bench", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "load");
        var dense = Path.Combine(root, "density");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(dense);
        Console.WriteLine($"Coordination benchmark ({(smoke ? "smoke" : "full")}), {Environment.ProcessorCount} cores, load {Report.Load()}, data in {root}");
        try
        {
            var server = await ServerProcess.StartAsync(data, serverSettings);
            try
            {
                report.Add("start-up", "process start to SERVING, empty store", server.StartupTime.TotalSeconds, "s");
                if (Runs("status"))
                {
                    await StatusReports(server, scale, report);
                }

                // Before the 50,400-unit pool exists: those units go stale together five minutes after
                // they register (nobody heartbeats them), and that wave of figure changes is not fan-out.
                if (Runs("fan-out"))
                {
                    await FanOut(server, scale, report);
                }

                if (Runs("capacity") || Runs("durable"))
                {
                    await RegisterPool(server, scale);
                    var max = await CapacityRequests(server, scale, report);
                    if (Runs("durable"))
                    {
                        await DurableDecisions(server, scale, report, max);
                    }
                }
            }
            finally
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }

            // Density and the start-up it leads to get a server and a store of their own, so they hold
            // exactly the units and incidents the figures name, not what the load figures left behind.
            if (Runs("density") || Runs("start-up"))
            {
                var fresh = await ServerProcess.StartAsync(dense, serverSettings);
                try
                {
                    await Density(fresh, scale, report);
                }
                finally
                {
                    await fresh.StopAsync();
                    await fresh.DisposeAsync();
                }

                var restarted = await ServerProcess.StartAsync(dense, serverSettings);
                report.Add("start-up", $"process start to SERVING, store with {scale.DensityUnits:N0} units", restarted.StartupTime.TotalSeconds, "s");
                await restarted.StopAsync();
                await restarted.DisposeAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        report.Print();
        await report.WriteJsonAsync(json, smoke);
        Console.WriteLine($"\nwritten to {Path.GetFullPath(json)}");
        return report.Figures.Any(f => f.Value is null) ? 1 : 0;
    }

    /// <summary>Status reports through the gateway against a no-op unary call in the same process, alternately.</summary>
    private static async Task StatusReports(ServerProcess server, Scale scale, Report report)
    {
        const string company = "bench-status";
        var units = Enumerable.Range(0, scale.StatusUnits).Select(i => $"s{i}").ToArray();
        var client = server.Company(company);
        foreach (var chunk in units.Chunk(1000))
        {
            await client.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units = { chunk.Select(u => new V1.UnitRegistration { UnitId = u, Headcount = 2, HomeDistrict = "oslo", Capabilities = { "patrol" } }) },
            });
        }

        await Feed(client, units, V1.UnitStatus.Available);
        var noop = new Noop.Noop.NoopClient(server.Channel);

        // The common case of a control-room feed: the unit's status again (it is still available) with a new position.
        Task Report(int i) => client.ReportUnitAsync(new UnitReport
        {
            UnitId = units[i % units.Length], Status = V1.UnitStatus.Available, Position = new V1.GeoPoint { Latitude = 59.9 + (i % 100 / 10000.0), Longitude = 10.75 },
        }).ResponseAsync;
        Task Ping(int i) => noop.PingAsync(new Noop.PingRequest { UnitId = units[i % units.Length] }).ResponseAsync;
        var secured = new Noop.AuthenticatedNoop.AuthenticatedNoopClient(server.As(server.CompanyToken(company)));
        Task SecuredPing(int i) => secured.PingAsync(new Noop.PingRequest { UnitId = units[i % units.Length] }).ResponseAsync;

        await Closed(server, scale.StatusClients, scale.RoundSeconds / 2, Report); // warm-up
        await Closed(server, scale.StatusClients, scale.RoundSeconds / 2, Ping);
        var pairs = new List<(double Report, double Noop, double ReportCpu, double NoopCpu, double SecuredCpu)>();
        for (var p = 0; p < scale.Pairs; p++)
        {
            var a = await Closed(server, scale.StatusClients, scale.RoundSeconds, Report);
            var b = await Closed(server, scale.StatusClients, scale.RoundSeconds, Ping);
            var c = await Closed(server, scale.StatusClients, scale.RoundSeconds / 2, SecuredPing);
            pairs.Add((a.Rate, b.Rate, a.CpuMicrosPerCall, b.CpuMicrosPerCall, c.CpuMicrosPerCall));
        }

        var ratios = pairs.Select(p => p.Report / p.Noop).Order().ToList();
        report.Add("status reports", $"ReportUnit throughput ({scale.StatusClients} clients)", Median(pairs.Select(p => p.Report)), "calls/s");
        report.Add("status reports", "no-op unary throughput, same process", Median(pairs.Select(p => p.Noop)), "calls/s");
        report.Add("status reports", $"ratio ReportUnit / no-op (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.6", Median(ratios) >= 0.6,
            $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        report.Add("status reports", "server CPU per ReportUnit", Median(pairs.Select(p => p.ReportCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call", Median(pairs.Select(p => p.NoopCpu)), "µs");
        report.Add("status reports", "server CPU per no-op call behind the gateway's security (token, caller, rate limit)", Median(pairs.Select(p => p.SecuredCpu)), "µs");
    }

    /// <summary>Units of companies with framework agreements in every district, available, for capacity requests.</summary>
    private static async Task RegisterPool(ServerProcess server, Scale scale)
    {
        var watch = Stopwatch.StartNew();
        var directorate = server.Police("bench-directorate");
        foreach (var district in ReferenceData.Current.Districts)
        {
            var company = $"bench-pool-{district.Id}";
            var client = server.Company(company);
            var units = Enumerable.Range(0, scale.UnitsPerDistrict).Select(i => $"p{i}").ToArray();
            var random = new Random(district.Id.GetHashCode(StringComparison.Ordinal));
            foreach (var chunk in units.Chunk(1000))
            {
                await client.RegisterUnitsAsync(new RegisterUnitsRequest
                {
                    Units =
                    {
                        chunk.Select(u => new V1.UnitRegistration
                        {
                            UnitId = u, Headcount = 1, HomeDistrict = district.Id, Capabilities = { "static-guarding", "patrol" },
                            Position = new V1.GeoPoint { Latitude = district.Latitude + ((random.NextDouble() - 0.5) / 10), Longitude = district.Longitude + ((random.NextDouble() - 0.5) / 5) },
                        }),
                    },
                });
            }

            // An agreement needs a registered company (NOT_FOUND otherwise); it is in place before any unit is available.
            await directorate.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { V1.Priority.Urgent, V1.Priority.High, V1.Priority.Routine } });
            await Feed(client, units, V1.UnitStatus.Available);
        }

        Console.WriteLine($"  (pool of {scale.UnitsPerDistrict * Districts.Length:N0} available units registered in {watch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>Request to fully committed (framework agreements), at the maximum rate and then at fixed fractions of it.</summary>
    private static async Task<double> CapacityRequests(ServerProcess server, Scale scale, Report report)
    {
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
                var district = ReferenceData.Current.Districts[(c + run) % Districts.Length];
                var police = server.Police($"bench-police-{c}");
                var ids = new string[incidentsEach];
                for (var n = 0; n < incidentsEach; n++)
                {
                    ids[n] = (await police.OpenIncidentAsync(new OpenIncidentRequest
                    {
                        DistrictId = district.Id, RequestId = $"run{run}-client{c}-{n}", Title = "Benchmark", Priority = V1.Priority.Urgent,
                        Location = new V1.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
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
                        Location = new V1.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                        Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
                    })).Status == V1.RequestStatus.Filled;

                    // An incident whose requests have all been answered is closed, which releases its
                    // units, as operations centres do, so the pool is not used up by the load itself.
                    // (The last one takes any requests beyond the estimate and stays open.)
                    if (Interlocked.Increment(ref answered[n]) == RequestsPerIncident && n < ids.Length - 1)
                    {
                        CloseLater(police, ids[n]);
                    }

                    return filled;
                };
            }

            return clients;
        }

        // The closed-loop maximum: 64 clients as fast as they can (a generous guess at how many requests that is).
        var closedClients = await Clients(64, 1500 * scale.CapacitySeconds * 1.5);
        await Closed(server, 64, scale.CapacitySeconds / 2, i => closedClients[i % 64](i + 1_000_000)); // warm-up
        var maxRun = await Closed(server, 64, scale.CapacitySeconds, i => closedClients[i % 64](i));
        var max = maxRun.Rate;
        report.Add("capacity requests", "maximum rate, 64 clients, request to fully committed", max, "req/s");

        foreach (var fraction in new[] { 0.5, 0.8 })
        {
            foreach (var count in scale.ClientCounts)
            {
                var clients = await Clients(count, max * fraction * scale.CapacitySeconds);
                var (latencies, unfilled) = await Open(max * fraction, count, scale.CapacitySeconds, clients);
                var goal = count == 64 ? "p99 <= 50 ms" : "";
                var p99 = Percentile(latencies, 0.99);
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p50", Percentile(latencies, 0.5), "ms");
                report.Add("capacity requests", $"{fraction:P0} of max, {count} clients: p99", p99, "ms", goal, count == 64 ? p99 <= 50 : null,
                    $"{latencies.Count} requests{(unfilled > 0 ? $", {unfilled} not filled" : "")}");
            }
        }

        return max;
    }

    /// <summary>Commitments made durable per second against a raw single-row commit loop on the same file, alternately.</summary>
    private static async Task DurableDecisions(ServerProcess server, Scale scale, Report report, double maxRate)
    {
        var file = Path.Combine(server.DataDirectory, "coordination.db");
        await using (var setup = new SqliteConnection($"Data Source={file};Pooling=True;Default Timeout=30"))
        {
            await setup.OpenAsync();
            await using var create = setup.CreateCommand();
            create.CommandText = "CREATE TABLE IF NOT EXISTS BenchRaw (Id INTEGER PRIMARY KEY, Payload BLOB NOT NULL);";
            await create.ExecuteNonQueryAsync();
        }

        // Each client works through incidents of RequestsPerIncident requests each, as in the capacity figures.
        var police = Enumerable.Range(0, 16).Select(c => server.Police($"bench-durable-{c}")).ToArray();
        var incidentNumber = 0;
        async Task<string> OpenIncident(int c)
        {
            var district = ReferenceData.Current.Districts[c % Districts.Length];
            return (await police[c].OpenIncidentAsync(new OpenIncidentRequest
            {
                DistrictId = district.Id, RequestId = $"durable-{c}-{Interlocked.Increment(ref incidentNumber)}", Title = "Benchmark", Priority = V1.Priority.Urgent,
                Location = new V1.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
            })).IncidentId;
        }

        var incidents = new string[16];
        var requestsIn = new int[16];
        for (var c = 0; c < 16; c++)
        {
            incidents[c] = await OpenIncident(c);
        }

        // Commitments (a unit committed to a request) per second, with requests of `guards` one-guard units each.
        var next = 0;
        async Task<double> Commitments(int guards)
        {
            var committedGuards = 0L;
            var watch = Stopwatch.StartNew();
            await Closed(server, 16, scale.DurableSeconds, async i =>
            {
                var c = i % 16;
                var district = ReferenceData.Current.Districts[c % Districts.Length];
                if (++requestsIn[c] > RequestsPerIncident)
                {
                    // Opened outside the measured call's own work would hide its cost: it is part of the loop.
                    // The finished incident is closed (its units released), as in the capacity figures.
                    CloseLater(police[c], incidents[c]);
                    incidents[c] = await OpenIncident(c);
                    requestsIn[c] = 1;
                }

                var request = await police[c].RequestCapacityAsync(new RequestCapacityRequest
                {
                    IncidentId = incidents[c], RequestId = $"d{Interlocked.Increment(ref next)}", Capability = "patrol", Guards = guards, AllowPartial = true,
                    Location = new V1.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                    Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
                });
                Interlocked.Add(ref committedGuards, request.CommittedGuards);
                return true;
            });
            return committedGuards / watch.Elapsed.TotalSeconds;
        }

        var pairs = new List<(double Commitments, double Raw)>();
        var committedBefore = await server.CommittedAsync();
        for (var p = 0; p < scale.DurablePairs; p++)
        {
            var commitments = await Commitments(guards: 1);
            var raw = await RawCommits(file, scale.DurableSeconds);
            pairs.Add((commitments, raw));
        }

        var committed = await server.CommittedAsync();
        var (groups, writes) = (committed.Groups - committedBefore.Groups, committed.Writes - committedBefore.Writes);

        // The same with requests of five guards, as operations centres mostly ask: the request's own
        // work (gateway, matching, the offer) is shared by its commitments. For information; the goal is
        // judged on the one-guard figure above.
        var several = await Commitments(guards: 5);
        var severalRaw = await RawCommits(file, scale.DurableSeconds);

        var ratios = pairs.Select(p => p.Commitments / p.Raw).Order().ToList();
        report.Add("durable decisions", "commitments persisted (16 clients)", Median(pairs.Select(p => p.Commitments)), "per s");
        report.Add("durable decisions", "raw single-row commits, same file and settings", Median(pairs.Select(p => p.Raw)), "per s");
        report.Add("durable decisions", $"ratio (median of {pairs.Count} A/B pairs)", Median(ratios), "", ">= 0.5", Median(ratios) >= 0.5, $"range {ratios.First():0.00}-{ratios.Last():0.00}");
        report.Add("durable decisions", "writes (grain states, audit batches) per commit of the SQLite writer", writes / (double)Math.Max(1, groups), "", note: $"{writes:N0} writes in {groups:N0} commits");
        report.Add("durable decisions", "commitments persisted, requests of 5 guards (16 clients)", several, "per s");
        report.Add("durable decisions", "ratio with requests of 5 guards (one pair, for information)", several / severalRaw, "");
    }

    private static async Task<double> RawCommits(string file, double seconds)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=True;Default Timeout=30");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO BenchRaw (Payload) VALUES ($p);";
        var payload = command.Parameters.Add("$p", SqliteType.Blob);
        payload.Value = new byte[200];
        var watch = Stopwatch.StartNew();
        var rows = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            rows++;
        }

        return rows / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Time from a status change to its arrival at the last of K viewers of the district, all on one
    /// gateway. A change is a unit going available or unavailable; each viewer waits for the figures
    /// that show it.
    /// </summary>
    private static async Task FanOut(ServerProcess server, Scale scale, Report report)
    {
        const string district = "finnmark";
        const string company = "bench-fanout";
        var control = server.Company(company);
        await control.RegisterUnitsAsync(new RegisterUnitsRequest
        {
            Units = { new V1.UnitRegistration { UnitId = "f1", Headcount = 1, HomeDistrict = district, Capabilities = { "cctv-monitoring" } } },
        });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Channel.Target.StartsWith("http", StringComparison.Ordinal) ? server.Channel.Target : $"http://{server.Channel.Target}",
            new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
        var viewer = new DashboardService.DashboardServiceClient(server.ViewerOn(channel, district));
        var available = false;
        foreach (var k in scale.Viewers)
        {
            var watches = Enumerable.Range(0, k).Select(_ => viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = district })).ToList();
            try
            {
                await Task.WhenAll(watches.Select(w => w.ResponseStream.MoveNext(CancellationToken.None)));
                var lastArrivals = new List<double>();
                for (var change = 0; change < scale.FanOutChanges + 1; change++)
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
                    await control.ReportUnitAsync(new UnitReport { UnitId = "f1", Status = available ? V1.UnitStatus.Available : V1.UnitStatus.Unavailable });
                    var times = await Task.WhenAll(arrivals).WaitAsync(TimeSpan.FromSeconds(30));
                    if (change > 0)
                    {
                        lastArrivals.Add(times.Max()); // the first change warms up
                    }
                }

                var goal = k == 1000 ? "p99 <= 100 ms" : "";
                var p99 = Percentile(lastArrivals, 0.99);
                report.Add("fan-out", $"change to last of {k:N0} viewers: p50", Percentile(lastArrivals, 0.5), "ms");
                report.Add("fan-out", $"change to last of {k:N0} viewers: p99", p99, "ms", goal, k == 1000 ? p99 <= 100 : null,
                    $"{lastArrivals.Count} changes; districts tell dashboards at most every 50 ms");
            }
            finally
            {
                watches.ForEach(w => w.Dispose());
            }
        }
    }

    /// <summary>Working set after a full GC with the target number of units and incidents in the system.</summary>
    private static async Task Density(ServerProcess server, Scale scale, Report report)
    {
        var registered = scale.StatusUnits + (scale.UnitsPerDistrict * Districts.Length);
        var missing = Math.Max(0, scale.DensityUnits - registered);
        var watch = Stopwatch.StartNew();
        var company = server.Company("bench-density");
        for (var start = 0; start < missing; start += 1000)
        {
            await company.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units =
                {
                    Enumerable.Range(start, Math.Min(1000, missing - start)).Select(i => new V1.UnitRegistration
                    {
                        UnitId = $"m{i}", Headcount = 2, HomeDistrict = Districts[i % Districts.Length], Capabilities = { "patrol", "first-aid" },
                    }),
                },
            });
        }

        var police = server.Police("bench-density-police");
        for (var i = 0; i < scale.DensityIncidents; i++)
        {
            var district = ReferenceData.Current.Districts[i % Districts.Length];
            await police.OpenIncidentAsync(new OpenIncidentRequest
            {
                DistrictId = district.Id, RequestId = $"density-{i}", Title = "Benchmark incident", Priority = V1.Priority.Routine,
                Location = new V1.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
            });
        }

        Console.WriteLine($"  ({missing:N0} more units and {scale.DensityIncidents} incidents in {watch.Elapsed.TotalSeconds:0.0} s)");
        var (workingSet, heap) = await server.MemoryAfterFullGcAsync();
        var mib = workingSet / 1024.0 / 1024.0;
        report.Add("density", $"working set after full GC, {scale.DensityUnits:N0} units + {scale.DensityIncidents:N0} incidents", mib, "MiB", "<= 1024", mib <= 1024,
            $"managed heap {heap / 1024.0 / 1024.0:0} MiB");
    }

    private static async Task Feed(CompanyService.CompanyServiceClient client, IEnumerable<string> units, V1.UnitStatus status)
    {
        using var feed = client.StreamUnitReports();
        foreach (var unit in units)
        {
            await feed.RequestStream.WriteAsync(new UnitReport { UnitId = unit, Status = status });
        }

        await feed.RequestStream.CompleteAsync();
        var summary = await feed;
        if (summary.Rejected > 0)
        {
            throw new InvalidOperationException($"feed rejected {summary.Rejected} reports: {summary.Rejections.FirstOrDefault()}");
        }
    }

    /// <summary>A closed loop: each client calls again as soon as its call returns.</summary>
    private static Task<(double Rate, double CpuMicrosPerCall)> Closed(ServerProcess server, int clients, double seconds, Func<int, Task> call) =>
        Closed(server, clients, seconds, async i =>
        {
            await call(i);
            return true;
        });

    /// <summary>A closed loop counting only the calls that did what they were for (a request filled).</summary>
    /// <summary>Closes a finished incident without waiting: part of the load, not of any measured call.</summary>
    private static void CloseLater(PoliceService.PoliceServiceClient police, string incidentId) =>
        _ = police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incidentId, Reason = "benchmark incident done" }).ResponseAsync
            .ContinueWith(t => t.Exception, TaskScheduler.Default);

    private static async Task<(double Rate, double CpuMicrosPerCall)> Closed(ServerProcess server, int clients, double seconds, Func<int, Task<bool>> call)
    {
        var calls = 0;
        var cpu = server.CpuTime;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var i = c;
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var counted = await call(i);
                i += clients;
                if (counted)
                {
                    Interlocked.Increment(ref calls);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpuMicros = (server.CpuTime - cpu).TotalMicroseconds;
        return (calls / elapsed, cpuMicros / Math.Max(1, calls));
    }

    /// <summary>
    /// An open loop at a fixed total rate shared by the clients. Each call is timed from when it was
    /// due, not from when it was sent, so a stalled server cannot hide its queue.
    /// </summary>
    private static async Task<(List<double> LatenciesMs, int Unfilled)> Open(double rate, int clients, double seconds, Func<int, Task<bool>>[] call)
    {
        var latencies = new List<double>();
        var unfilled = 0;
        var interval = TimeSpan.FromSeconds(clients / rate);
        var watch = Stopwatch.StartNew();
        var outstanding = new List<Task>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = new List<Task>();
            for (var j = 0; ; j++)
            {
                var due = (interval * j) + TimeSpan.FromSeconds(interval.TotalSeconds * c / clients);
                if (due.TotalSeconds >= seconds)
                {
                    break;
                }

                var wait = due - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var index = (j * clients) + c;
                mine.Add(Task.Run(async () =>
                {
                    var filled = await call[c](index);
                    var latency = (watch.Elapsed - due).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(latency);
                        unfilled += filled ? 0 : 1;
                    }
                }));
            }

            await Task.WhenAll(mine);
        }));
        return (latencies, unfilled);
    }

    private static double Median(IEnumerable<double> values) => Percentile([.. values], 0.5);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
