using System.Diagnostics;
using Coordination.Api.V1;
using Grpc.Core;
using Npgsql;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// A storage error raised in a grain on one silo reaches a client of another silo's gateway as
/// UNAVAILABLE, fast: the driver's exception (which no other silo could deserialize) is turned into
/// the project's own at the storage boundary, and nothing of the refused change is kept.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossSiloStorageFaultTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_storage_error_on_one_silo_reaches_a_client_of_the_other_silos_gateway_as_unavailable_within_2_s()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        var settings = PostgresServer.NodeSettings(database);
        var company = Ids.Company("xsilo");

        // The unit is activated while the first silo is alone in the cluster, so it lives there.
        await using var first = await RunningNode.StartAsync(data.Path, settings);
        await first.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 2, "vest", 60.39, 5.32, "patrol")));
        await first.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        await using var second = await RunningNode.StartAsync(data.Path, settings);

        // The database refuses the unit's next write (a check its row fails; NOT VALID leaves the stored row alone):
        // the first silo's driver raises a PostgresException for it.
        await using var source = NpgsqlDataSource.Create(database);
        await using (var refuse = source.CreateCommand($"ALTER TABLE OrleansStorage ADD CONSTRAINT refuse_unit CHECK (GrainIdExtensionString <> '{company}/u1') NOT VALID;"))
        {
            await refuse.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => second.Company.ReportUnitAsync(
            Report(company, "u1", UnitStatus.Unavailable), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var took = clock.Elapsed;

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(2), $"the refusal took {took.TotalSeconds:0.0} s to reach the client");

        // Nothing of the refused change was kept; once the database takes writes again, the retry stores it.
        var units = await second.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });
        Assert.Equal(UnitStatus.Available, units.Units.Single().Status);
        await using (var allow = source.CreateCommand("ALTER TABLE OrleansStorage DROP CONSTRAINT refuse_unit;"))
        {
            await allow.ExecuteNonQueryAsync();
        }

        var retry = await second.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Unavailable));
        Assert.True(retry.Changed);
        Assert.Equal(UnitStatus.Unavailable, retry.Unit.Status);
    }

    [Fact]
    public async Task An_audit_log_that_cannot_be_written_on_one_silo_makes_a_command_through_the_other_silos_gateway_answer_unavailable_within_2_s()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        var settings = PostgresServer.NodeSettings(database);
        var company = Ids.Company("xaudit");

        // The first command activates the audit log's grain while the first silo is alone, so it lives there.
        await using var first = await RunningNode.StartAsync(data.Path, settings);
        await first.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 2, "vest", 60.39, 5.32, "patrol")));
        await using var second = await RunningNode.StartAsync(data.Path, settings);

        // The database refuses every new audit row: the audit grain's store raises a PostgresException on the first silo.
        await using var source = NpgsqlDataSource.Create(database);
        await using (var refuse = source.CreateCommand("ALTER TABLE AuditLog ADD CONSTRAINT refuse_audit CHECK (false) NOT VALID;"))
        {
            await refuse.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => second.Company.RegisterUnitsAsync(
            Register(company, UnitAt("u2", 2, "vest", 60.39, 5.32, "patrol")), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var took = clock.Elapsed;

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(took < TimeSpan.FromSeconds(2), $"the refusal took {took.TotalSeconds:0.0} s to reach the client");

        // No command runs before its start record is durable: the unit was not registered. With the log back, the retry is.
        Assert.Equal(["u1"], (await second.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Select(u => u.UnitId));
        await using (var allow = source.CreateCommand("ALTER TABLE AuditLog DROP CONSTRAINT refuse_audit;"))
        {
            await allow.ExecuteNonQueryAsync();
        }

        await second.Company.RegisterUnitsAsync(Register(company, UnitAt("u2", 2, "vest", 60.39, 5.32, "patrol")));
        Assert.Equal(["u1", "u2"], (await second.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Select(u => u.UnitId).Order());
    }
}
