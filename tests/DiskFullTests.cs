using System.Collections.Concurrent;
using System.Diagnostics;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// The node's data folder on a real, small disk that fills up while commands run: every command
/// answers OK (and is stored) or UNAVAILABLE quickly with a message naming the full store, never
/// INTERNAL; health says NOT_SERVING meanwhile; once space is freed writes work again on their own,
/// and every command answered OK is there after a restart.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const string District = "finnmark";
    private const int Units = 300;

    // How long a refused command may take: a full disk is known at once, it is no time-out.
    private static readonly TimeSpan QuickAnswer = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_full_disk_answers_unavailable_and_not_serving_and_recovers_on_its_own_without_losing_an_acknowledged_command()
    {
        using var disk = new Tmpfs(megabytes: 24);
        await Scenario(output, () => RunningNode.StartAsync(disk.Path), disk, where: disk.Path);
    }

    /// <summary>Commands under load while the disk fills and is freed again; <paramref name="where"/> is what the refusals must name.</summary>
    internal static async Task Scenario(ITestOutputHelper output, Func<Task<RunningNode>> start, Tmpfs disk, string where)
    {
        var node = await start();
        try
        {
            var company = Ids.Company("full");
            await node.Company.RegisterUnitsAsync(Register(company, [.. Enumerable.Range(0, Units).Select(i => Unit($"u{i}", 1, District, "patrol"))]));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, await Health(node));

            // Commands run throughout: each unit is reported available once (a change of state), and an incident opened per round.
            var load = new Load(node, company);
            var running = load.RunAsync();
            Assert.True(await Eventually.Holds(() => Task.FromResult(load.Acknowledged > 20)), "no command was answered before the disk filled");

            disk.Fill();

            Assert.True(await Eventually.Holds(() => Task.FromResult(load.Refused.Count >= 10), TimeSpan.FromSeconds(20)),
                $"the full disk refused no command ({load.Acknowledged} acknowledged since)");
            foreach (var kind in load.Refused.GroupBy(r => (r.Code, r.Message)).Take(10))
            {
                output.WriteLine($"{kind.Count()} × {kind.Key.Code} in {kind.Min(r => r.Took.TotalSeconds):0.00}–{kind.Max(r => r.Took.TotalSeconds):0.00} s: {kind.Key.Message}");
            }

            Assert.True(await Eventually.Holds(async () => await Health(node) == HealthCheckResponse.Types.ServingStatus.NotServing, TimeSpan.FromSeconds(5)),
                "health stayed SERVING while the disk was full");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, await HttpHealth(node));

            var refused = load.Refused.ToArray();
            Assert.All(refused, r => Assert.Equal(StatusCode.Unavailable, r.Code));
            Assert.All(refused, r => Assert.True(r.Took < QuickAnswer, $"{r.What} took {r.Took.TotalSeconds:0.0} s to answer {r.Code}"));
            Assert.All(refused, r => Assert.Contains("full", r.Message, StringComparison.OrdinalIgnoreCase));
            Assert.All(refused, r => Assert.Equal("STORAGE_FULL", r.Reason));
            Assert.Contains(refused, r => r.Message.Contains(where, StringComparison.Ordinal));

            // Space is freed: writes work again within 5 s, without a restart, and health follows.
            var acknowledgedBefore = load.Acknowledged;
            var freed = Stopwatch.StartNew();
            disk.DeleteFillers();
            Assert.True(await Eventually.Holds(() => Task.FromResult(load.Acknowledged > acknowledgedBefore + 5), TimeSpan.FromSeconds(5)),
                "commands were still refused 5 s after space was freed");
            Assert.True(await Eventually.Holds(async () => await Health(node) == HealthCheckResponse.Types.ServingStatus.Serving, TimeSpan.FromSeconds(5) - freed.Elapsed),
                "health did not return to SERVING within 5 s of space being freed");
            Assert.Equal(System.Net.HttpStatusCode.OK, await HttpHealth(node));

            await load.StopAsync(running);
            Assert.Empty(load.Unexpected);

            // The figures agree with a recount of the units (a refused report must not have moved them).
            var listed = await node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });
            var available = listed.Units.Count(u => u.Status == UnitStatus.Available);
            Assert.True(await Eventually.Holds(async () => (await node.Police.GetCapacityAsync(District(District))).For("patrol").AvailableUnits == available),
                $"the district's figures do not match the {available} units that are available");

            await node.DisposeAsync();
            node = await start();

            // Every acknowledged command is stored: the unit's status, the incident, and the command's audit record.
            var stored = (await node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.ToDictionary(u => u.UnitId, u => u.Status);
            Assert.All(load.ReportedUnits, unit => Assert.Equal(UnitStatus.Available, stored[unit]));
            foreach (var incident in load.OpenedIncidents)
            {
                Assert.Equal(incident, (await node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).IncidentId);
            }

            var audited = (await AuditTests.Export(node.Police, new ExportAuditRequest())).Where(e => e.Outcome == "OK").Select(e => e.RequestId).ToHashSet();
            Assert.All(load.OpenedRequestIds, id => Assert.Contains(id, audited));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<HealthCheckResponse.Types.ServingStatus> Health(RunningNode node) =>
        (await new Health.HealthClient(node.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;

    private static async Task<System.Net.HttpStatusCode> HttpHealth(RunningNode node)
    {
        using var http = new HttpClient();
        return (await http.GetAsync($"http://127.0.0.1:{node.HttpPort}/healthz")).StatusCode;
    }

    private sealed record Refusal(string What, StatusCode Code, string Message, string? Reason, TimeSpan Took);

    /// <summary>Four clients sending commands until stopped, recording what was acknowledged and what was refused, and how.</summary>
    private sealed class Load(RunningNode node, string company)
    {
        private readonly CancellationTokenSource _stop = new();
        private int _nextUnit = -1;
        private int _acknowledged;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public ConcurrentBag<string> ReportedUnits { get; } = [];
        public ConcurrentBag<string> OpenedIncidents { get; } = [];
        public ConcurrentBag<string> OpenedRequestIds { get; } = [];
        public ConcurrentBag<Refusal> Refused { get; } = [];

        /// <summary>Anything but OK or a refusal: a client-side failure the test did not expect.</summary>
        public ConcurrentBag<Exception> Unexpected { get; } = [];

        public Task RunAsync() => Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ClientAsync)));

        public async Task StopAsync(Task running)
        {
            await _stop.CancelAsync();
            await running;
        }

        private async Task ClientAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var unit = Interlocked.Increment(ref _nextUnit);
                if (unit < Units)
                {
                    await Send($"report u{unit}", async () =>
                    {
                        await node.Company.ReportUnitAsync(Report(company, $"u{unit}", UnitStatus.Available));
                        ReportedUnits.Add($"u{unit}");
                    });
                }

                var requestId = $"full-{Guid.NewGuid():N}"[..20];
                await Send($"open {requestId}", async () =>
                {
                    var incident = await node.Police.OpenIncidentAsync(Incident(District, requestId));
                    OpenedIncidents.Add(incident.IncidentId);
                    OpenedRequestIds.Add(requestId);
                });
            }
        }

        private async Task Send(string what, Func<Task> command)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await command();
                Interlocked.Increment(ref _acknowledged);
            }
            catch (RpcException e)
            {
                Refused.Add(new Refusal(what, e.StatusCode, e.Status.Detail, e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason, clock.Elapsed));
            }
            catch (Exception e)
            {
                Unexpected.Add(e);
            }
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDiskFullTests(PostgresServer postgres, ITestOutputHelper output)
{
    /// <summary>
    /// The same on PostgreSQL: the grain state and audit tables are moved to a tablespace on a small
    /// tmpfs (the write-ahead log stays on the server's own disk, so the server keeps running), and
    /// filling it makes every insert that needs a new page fail with "could not extend file" (53100).
    /// </summary>
    [Fact]
    public async Task A_full_postgresql_tablespace_answers_unavailable_and_not_serving_and_recovers_on_its_own()
    {
        using var disk = new Tmpfs(megabytes: 16, owner: "postgres");
        using var data = new TempDirectory();
        // Pools small enough for the server's 100 connections (the README's advice), so only the disk runs out.
        var database = await postgres.CreateDatabaseAsync() + ";Maximum Pool Size=20";
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        var settings = PostgresServer.NodeSettings(database);
        var first = true;
        var tablespace = $"small_{Guid.NewGuid():N}";

        try
        {
            await DiskFullTests.Scenario(output, async () =>
            {
                var node = await RunningNode.StartAsync(data.Path, settings);
                if (first)
                {
                    // The schema is in place once the node has started; only the two stores move to the small disk.
                    first = false;
                    await using var connection = new Npgsql.NpgsqlConnection(database);
                    await connection.OpenAsync();
                    await using var move = new Npgsql.NpgsqlCommand($"CREATE TABLESPACE {tablespace} LOCATION '{disk.Path}';", connection);
                    await move.ExecuteNonQueryAsync();
                    move.CommandText = $"ALTER TABLE OrleansStorage SET TABLESPACE {tablespace}; ALTER TABLE AuditLog SET TABLESPACE {tablespace};";
                    await move.ExecuteNonQueryAsync();
                }

                return node;
            }, disk, where: name);
        }
        finally
        {
            // The server outlives this test (other tests share it): its tables must leave the small disk
            // before it is unmounted, or the server's next checkpoint finds their files gone and panics.
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString("postgres") + ";Pooling=false");
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
            await drop.ExecuteNonQueryAsync();
            drop.CommandText = $"DROP TABLESPACE IF EXISTS {tablespace};";
            await drop.ExecuteNonQueryAsync();
        }
    }
}
