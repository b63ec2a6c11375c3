using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// The database goes down under a running silo and comes back: commands in between answer
/// UNAVAILABLE and keep nothing, and their retries store the change — seen live and after a restart.
/// (The outside fault test saw a release answer INTERNAL, its retry answer OK without writing, and the
/// unit stay EN_ROUTE for a closed incident after a restart.)
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresRestartTests(PostgresServer postgres)
{
    private static readonly GeoPoint Bergen = new() { Latitude = 60.3913, Longitude = 5.3221 };

    [Fact]
    public async Task A_release_and_a_status_report_during_a_database_crash_answer_unavailable_and_their_retries_are_stored()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        var node = await RunningNode.StartAsync(data.Path, PostgresServer.NodeSettings(database));
        try
        {
            const string companyId = "pg-restart";
            await node.Company.RegisterUnitsAsync(Register(companyId, UnitAt("u1", 2, "vest", 60.39, 5.32, "patrol"), UnitAt("u2", 2, "vest", 60.40, 5.32, "patrol"), UnitAt("u3", 2, "vest", 60.41, 5.32, "patrol")));
            foreach (var unit in new[] { "u1", "u2", "u3" })
            {
                await node.Company.ReportUnitAsync(Report(companyId, unit, UnitStatus.Available));
            }

            await node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = companyId, Priorities = { Priority.High } });
            var incident = (await node.Police.OpenIncidentAsync(Incident("vest", "pg-restart-1"))).IncidentId;
            var filled = await node.Police.RequestCapacityAsync(Capacity(incident, "r1", "patrol", 4, at: Bergen));
            Assert.Equal(RequestStatus.Filled, filled.Status);
            var released = filled.Assignments.First().UnitId;
            var kept = filled.Assignments.Last().UnitId;
            var release = new ReleaseUnitsRequest { IncidentId = incident, Units = { new ReleaseUnitsRequest.Types.UnitRef { CompanyId = companyId, UnitId = released } } };

            await postgres.CrashAsync();
            try
            {
                var releaseError = await Assert.ThrowsAsync<RpcException>(async () => await node.Police.ReleaseUnitsAsync(release));
                var reportError = await Assert.ThrowsAsync<RpcException>(async () => await node.Company.ReportUnitAsync(Report(companyId, "u3", UnitStatus.OutOfService)));
                Assert.Equal((StatusCode.Unavailable, StatusCode.Unavailable), (releaseError.StatusCode, reportError.StatusCode));
            }
            finally
            {
                await postgres.StartAgainAsync();
            }

            // What a client does after UNAVAILABLE: the same command again (its pooled connections die with the server, so the first may fail too).
            await UntilAvailable(() => node.Police.ReleaseUnitsAsync(release).ResponseAsync);
            var report = await UntilAvailable(() => node.Company.ReportUnitAsync(Report(companyId, "u3", UnitStatus.OutOfService)).ResponseAsync);
            Assert.True(report.Changed, "the retried report must be written, not found done");

            await AssertStored(node, incident, companyId, released, kept);

            // After a restart, storage says the same.
            await node.DisposeAsync();
            node = await RunningNode.StartAsync(data.Path, PostgresServer.NodeSettings(database));
            await AssertStored(node, incident, companyId, released, kept);
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    private static async Task AssertStored(RunningNode node, string incident, string companyId, string released, string kept)
    {
        var request = (await node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).Requests.Single();
        Assert.Equal(AssignmentStatus.Released, request.Assignments.Single(a => a.UnitId == released).Status);
        Assert.Equal(AssignmentStatus.Committed, request.Assignments.Single(a => a.UnitId == kept).Status);
        var units = (await node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = companyId })).Units.ToDictionary(u => u.UnitId);
        Assert.Equal(UnitStatus.Available, units[released].Status);
        Assert.Equal(UnitStatus.Committed, units[kept].Status);
        Assert.Equal(UnitStatus.OutOfService, units["u3"].Status);
    }

    private static async Task<T> UntilAvailable<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }
}
