using Coordination.Api.V1;

using Coordination.Gateway;
using Coordination.Silo.Audit;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Coordination.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Npgsql;
using static Coordination.Tests.Infrastructure.ApiBuilders;



namespace Coordination.Tests;

/// <summary>
/// Cluster mode as an operator runs it: silo processes (each with its gateway) sharing one real
/// PostgreSQL database for membership, grain state, reminders and the audit log, and a stand-alone
/// gateway that finds the silos in the membership table. Silos leave while work goes on.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresClusterTests(PostgresServer postgres)
{
    private static readonly GeoPoint Bergen = new() { Latitude = 60.3913, Longitude = 5.3221 };
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Two_silos_and_a_gateway_share_one_database_and_work_goes_on_when_a_silo_leaves()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        await using var first = await StartSilo(data, database);
        await using var second = await StartSilo(data, database);
        await using var gateway = await StandaloneGatewayHost.StartAsync(data, database);
        using var tokens = new TestTokens(data.Path); // outlives the first silo's
        var company = tokens.CompanyClient(gateway.Channel);
        var police = tokens.PoliceClient(gateway.Channel);

        // Enough units and incidents that both silos host some of the grains.
        for (var c = 0; c < 4; c++)
        {
            var companyId = $"pg-co-{c}";
            await company.RegisterUnitsAsync(Register(companyId, [.. Enumerable.Range(0, 5).Select(u => UnitAt($"u{u}", 2, "vest", 60.39 + (u * 0.01), 5.32, "patrol"))]));
            foreach (var u in Enumerable.Range(0, 5))
            {
                await company.ReportUnitAsync(Report(companyId, $"u{u}", UnitStatus.Available));
            }

            await police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = companyId, Priorities = { Priority.High } });
        }

        await using var source = NpgsqlDataSource.Create(database);
        var incidents = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var incident = (await police.OpenIncidentAsync(Incident("vest", $"pg-incident-{i}"))).IncidentId;
            var request = await police.RequestCapacityAsync(Capacity(incident, "r1", "patrol", 4, at: Bergen));
            Assert.Equal(RequestStatus.Filled, request.Status);
            incidents.Add(incident);
        }

        // The same state whichever door it is read through (units tell their district one-way: wait for it).
        Assert.True(await Eventually.Holds(async () => (await police.GetCapacityAsync(District("vest"))).For("patrol").AvailableGuards == 28));
        Assert.Equal(28, (await first.Police.GetCapacityAsync(District("vest"))).For("patrol").AvailableGuards);
        Assert.Equal(28, (await second.Police.GetCapacityAsync(District("vest"))).For("patrol").AvailableGuards);

        // One silo leaves; its grains come back on the other from the shared database.
        await first.DisposeAsync();
        foreach (var incident in incidents)
        {
            var view = await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident });
            Assert.Equal(RequestStatus.Filled, view.Requests.Single().Status);
            Assert.Equal(2, view.Requests.Single().Assignments.Count);
        }

        // The district came back on the remaining silo and rebuilt its figures from the units.
        Assert.True(await Eventually.Holds(async () => (await police.GetCapacityAsync(District("vest"))).For("patrol").AvailableGuards == 28));

        // No unit is committed twice: the next request gets the remaining units only.
        var more = (await police.OpenIncidentAsync(Incident("vest", "pg-incident-after"))).IncidentId;
        var rest = await police.RequestCapacityAsync(Capacity(more, "r1", "patrol", 40, at: Bergen));
        Assert.Equal(28, rest.CommittedGuards);
        var committed = new List<string>();
        foreach (var incident in incidents.Append(more))
        {
            committed.AddRange((await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).Requests.SelectMany(r => r.Assignments).Select(a => $"{a.CompanyId}/{a.UnitId}"));
        }

        Assert.Equal(20, committed.Count);
        Assert.Equal(20, committed.Distinct().Count());

        // Once the district has no open incident, its wake-up reminder removes itself at its next tick.
        Assert.Equal(1, await WakeReminders(source, "vest"));
        foreach (var incident in incidents.Append(more))
        {
            await police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incident, Reason = "done" });
        }

        Assert.True(await Eventually.Holds(async () => await WakeReminders(source, "vest") == 0, TimeSpan.FromSeconds(15)));

        // Every command is in one unbroken audit chain, written by whichever silo held the log.
        var audit = await AuditTests.Export(police, new ExportAuditRequest());
        Assert.Equal(Enumerable.Range(1, audit.Count).Select(i => (long)i), audit.Select(e => e.Sequence));
        Assert.Contains(audit, e => e.Rpc.EndsWith("RequestCapacity", StringComparison.Ordinal) && e.IncidentId == more);
        var stored = await new PostgresAuditStore(source).ReadAsync(null, null, null, 0, 10_000);
        Assert.True(stored.Count >= audit.Count);
        var verified = await Verify(database);
        Assert.Equal(0, verified.Code);
        Assert.StartsWith($"audit chain intact: {stored.Count} entries", verified.Output, StringComparison.Ordinal);
        Assert.Matches(@"every change in the state has its record \([1-9]\d* incidents, [1-9]\d* units checked\)", verified.Output);

        // The table refuses changes; the independent verifier catches one made behind the system's
        // back (the trigger dropped first).
        await using (var blocked = source.CreateCommand("UPDATE AuditLog SET Subject = 'someone-else' WHERE Sequence = 3;"))
        {
            await Assert.ThrowsAsync<PostgresException>(() => blocked.ExecuteNonQueryAsync());
        }

        await using (var tamper = source.CreateCommand("DROP TRIGGER AuditLog_NoChange ON AuditLog; UPDATE AuditLog SET Subject = 'someone-else' WHERE Sequence = 3;"))
        {
            await tamper.ExecuteNonQueryAsync();
        }

        Assert.Equal((1, "audit chain BROKEN at entry 3: its content does not match its hash: it was changed"), await Verify(database));
    }

    [Fact]
    public async Task A_deadline_set_on_a_silo_that_crashes_fires_on_the_silo_that_remains()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        // The offer's deadline must outlast the first silo: it is killed a few seconds after the request.
        var deadline = TimeSpan.FromSeconds(20);
        await using var first = await SiloProcess.StartAsync(data.Path, SiloSettings(database, deadline));
        await first.Company.RegisterUnitsAsync(Register("silent", UnitAt("s1", 2, "vest", 60.3913, 5.3221, "first-aid")));
        await first.Company.RegisterUnitsAsync(Register("auto", UnitAt("x1", 2, "vest", 60.50, 5.50, "first-aid")));
        await first.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "auto", Priorities = { Priority.Urgent } });
        await first.Company.ReportUnitAsync(Report("silent", "s1", UnitStatus.Available));
        await first.Company.ReportUnitAsync(Report("auto", "x1", UnitStatus.Available));
        var incident = (await first.Police.OpenIncidentAsync(Incident("vest", "deadline", Priority.Urgent))).IncidentId;

        // Every grain so far lives in the first silo's process: the incident, its district, the offer's deadline timer.
        var request = await first.Police.RequestCapacityAsync(Capacity(incident, "r1", "first-aid", 2, at: Bergen));
        var offer = request.Offers.Single();
        Assert.Equal(("silent", OfferStatus.Pending), (offer.CompanyId, offer.Status));

        // While the district has an open incident, its wake-up reminder is in the shared database.
        await using var source = NpgsqlDataSource.Create(database);
        Assert.Equal(1, await WakeReminders(source, "vest"));
        var before = await IncidentWrites(source, incident);

        // The remaining silo runs without a gateway: a gateway's periodic health check reads the
        // national view, which wakes every district, and would bring the incident back by itself;
        // without one, only the district's reminder can.
        using var second = await StartSiloWithoutGateway(database, deadline);
        await first.KillAsync();
        Assert.True(DateTime.UtcNow < request.Offers.Single().Deadline.ToDateTime(), "the deadline passed before the silo was killed: the test proves nothing");
        Assert.Equal(before, await IncidentWrites(source, incident));

        // Nobody touches the incident, nor anything that would wake its district (a unit's report
        // would): progress is watched in the database only. Once the remaining silo declares the
        // first dead, it takes over the district's reminder, whose tick brings the district back
        // there; the district wakes its incidents, the deadline fires and the incident writes the
        // expiry and the next company's commitment.
        var wrote = await Eventually.Holds(async () => await IncidentWrites(source, incident) > before, TimeSpan.FromSeconds(90));
        Assert.True(wrote, "the incident did not act on its deadline after its silo crashed");

        // A gateway started now finds the remaining silo in the membership table and reads the outcome.
        await using var gateway = await StandaloneGatewayHost.StartAsync(data, database);
        using var tokens = new TestTokens(data.Path);
        var police = tokens.PoliceClient(gateway.Channel);
        var moved = (await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).Requests.Single();
        Assert.Equal(RequestStatus.Filled, moved.Status);
        Assert.Equal(OfferStatus.Expired, moved.Offers.Single(o => o.OfferId == offer.OfferId).Status);
        Assert.Equal("auto", moved.Assignments.Single().CompanyId);
    }

    [Fact]
    public async Task A_dashboard_keeps_receiving_pictures_after_its_districts_silo_leaves()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();

        // The first silo is the only one while the dashboard subscribes, so the district lives there by
        // construction (not by the order of start-ups: a district can activate wherever a call first
        // reaches it, and then the silo leaving would test nothing).
        await using var first = await StartSilo(data, database);
        await using var gateway = await StandaloneGatewayHost.StartAsync(data, database);
        using var tokens = new TestTokens(data.Path);
        var company = tokens.CompanyClient(gateway.Channel);
        var viewer = new DashboardService.DashboardServiceClient(gateway.Channel.Intercept(TestTokens.Bearer(tokens.Viewer("vest"))));
        using var watch = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "vest" });
        var snapshot = await NextPicture(watch, TimeSpan.FromSeconds(10));
        await using var second = await StartSilo(data, database);

        // The district's silo leaves, taking the gateway's subscription with it. The district comes
        // back on the other silo when a unit reports; the gateway re-subscribes at its next renewal
        // and the viewer, still on the same stream, sees the change.
        await first.DisposeAsync();
        await company.RegisterUnitsAsync(Register("dash-co", UnitAt("d1", 3, "vest", 60.39, 5.32, "patrol")));
        await company.ReportUnitAsync(Report("dash-co", "d1", UnitStatus.Available));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var picture = snapshot;
        while (picture.Capacity.AvailableGuards != snapshot.Capacity.AvailableGuards + 3)
        {
            picture = await NextPicture(watch, TimeSpan.FromSeconds(40) - stopwatch.Elapsed);
        }

        Assert.NotEqual(snapshot.Version.Split('-')[0], picture.Version.Split('-')[0]); // a new activation of the district
    }

    [Fact]
    public async Task An_observations_photo_is_stored_in_postgresql_in_its_own_row_and_reads_back_byte_for_byte()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        await using var silo = await StartSilo(data, database);
        await using var gateway = await StandaloneGatewayHost.StartAsync(data, database);
        using var tokens = new TestTokens(data.Path);
        await tokens.CompanyClient(gateway.Channel).RegisterUnitsAsync(Register("pg-obs", UnitAt("o1", 2, "vest", 60.39, 5.32, "patrol")));
        var photo = ObservationBuilders.Jpeg(256 * 1024);
        var guards = new ObservationService.ObservationServiceClient(gateway.Channel.Intercept(TestTokens.Bearer(tokens.Company("pg-obs"))));
        var reported = (await guards.ReportObservationAsync(ObservationBuilders.Sighting("o1", 60.3930, 5.3240, null, photo))).Observation;

        var police = new ObservationService.ObservationServiceClient(gateway.Channel.Intercept(TestTokens.Bearer(tokens.Police("vest"))));
        var read = await police.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = reported.Id });
        Assert.Equal(photo, read.Data.ToByteArray());

        // One row holds the bytes (the photo's); the observation's own row, written again at every triage step, does not.
        await police.TriageObservationAsync(new TriageObservationRequest { ObservationId = reported.Id, Stage = ObservationStage.Seen });
        await using var source = NpgsqlDataSource.Create(database);
        await using var count = source.CreateCommand("SELECT COUNT(*) FROM OrleansStorage WHERE position($1 in PayloadBinary) > 0;");
        count.Parameters.AddWithValue(photo[..4096]);
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    private static async Task<CapacityUpdate> NextPicture(AsyncServerStreamingCall<CapacityUpdate> watch, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within > TimeSpan.Zero ? within : TimeSpan.FromMilliseconds(1));
        try
        {
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token), "the stream ended");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && timeout.IsCancellationRequested)
        {
            Assert.Fail("no new picture reached the viewer in time");
        }

        return watch.ResponseStream.Current;
    }

    [Fact]
    public async Task The_schema_applies_once_and_refuses_a_stale_write()
    {
        var database = await postgres.CreateDatabaseAsync();
        await using var source = NpgsqlDataSource.Create(database);
        var logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        // Silos start together: each applies the schema; the scripts run once.
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Silo.Persistence.PostgresSchema.ApplyAsync(source, logger)));
        await using (var count = source.CreateCommand("SELECT COUNT(*) FROM CoordinationSchema;"))
        {
            Assert.Equal((long)Silo.Persistence.SchemaScripts.For("postgresql").Count(), await count.ExecuteScalarAsync());
        }

        // The write query as the provider calls it: a first write, a write from the version read, a stale write.
        Assert.Equal([1], await Write(source, version: null, payload: [1]));
        Assert.Equal([], await Write(source, version: null, payload: [2])); // a second "first" write: another activation won
        Assert.Equal([2], await Write(source, version: 1, payload: [3]));
        Assert.Equal([], await Write(source, version: 1, payload: [4])); // stale
        await using var read = source.CreateCommand("SELECT PayloadBinary, Version FROM OrleansStorage;");
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal([3], (byte[])reader[0]);
        Assert.Equal(2, reader.GetInt32(1));
    }

    private static async Task<long> WakeReminders(NpgsqlDataSource source, string district)
    {
        await using var count = source.CreateCommand("SELECT COUNT(*) FROM OrleansRemindersTable WHERE ReminderName = 'wake-open-incidents' AND position($1 in GrainId) > 0;");
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = district });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>How many times the incident's grain state has been written, read from the database.</summary>
    private static async Task<long> IncidentWrites(NpgsqlDataSource source, string incident)
    {
        await using var count = source.CreateCommand("SELECT COALESCE(SUM(Version), 0) FROM OrleansStorage WHERE GrainTypeString LIKE '%ncident%' AND position($1 in GrainIdExtensionString) > 0;");
        count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = incident });
        return Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<int>> Write(NpgsqlDataSource source, int? version, byte[] payload)
    {
        await using var query = source.CreateCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';");
        var text = (string)(await query.ExecuteScalarAsync())!;
        await using var write = source.CreateCommand(text);
        write.Parameters.AddWithValue("ServiceId", "svc");
        write.Parameters.AddWithValue("GrainTypeString", "incident");
        write.Parameters.AddWithValue("GrainIdN0", 7L);
        write.Parameters.AddWithValue("GrainIdN1", 0L);
        write.Parameters.AddWithValue("GrainIdExtensionString", DBNull.Value);
        write.Parameters.AddWithValue("GrainTypeHash", 1);
        write.Parameters.AddWithValue("GrainIdHash", 2);
        write.Parameters.AddWithValue("PayloadBinary", payload);
        write.Parameters.AddWithValue("GrainStateVersion", version is { } v ? v : DBNull.Value);
        await using var reader = await write.ExecuteReaderAsync();
        var versions = new List<int>();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static Task<RunningNode> StartSilo(TempDirectory data, string database) => RunningNode.StartAsync(data.Path, SiloSettings(database, Deadline));

    /// <summary>A silo alone, as <see cref="Silo.Hosting.SiloHosting.AddCoordinationSilo"/> builds it for the single node, without the gateway.</summary>
    private static async Task<IHost> StartSiloWithoutGateway(string database, TimeSpan urgentDeadline)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args =
            [
                .. SiloSettings(database, urgentDeadline),
                $"--Coordination:Orleans:SiloPort={Ports.Free()}",
                $"--Coordination:Orleans:GatewayPort={Ports.Free()}",
                "--Logging:LogLevel:Default=Warning",
            ],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddCoordinationSilo();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string[] SiloSettings(string database, TimeSpan urgentDeadline) =>
    [
        .. PostgresServer.NodeSettings(database),
        $"--Coordination:Offers:UrgentDeadline={urgentDeadline}",
        "--Coordination:Orleans:MinimumReminderPeriod=00:00:01",
        "--Coordination:Offers:WakeIncidentsEvery=00:00:03",
    ];


    private static async Task<(int Code, string Output)> Verify(string database)
    {
        var output = new StringWriter();
        var code = await Coordination.Cli.Commands.RunAsync(["audit", "verify", "--postgres", database], output, new StringWriter());
        return (code, output.ToString().Trim());
    }
}
