using Coordination.Api.V1;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Everything a client was told is stored survives a restart on the same SQLite file.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Units_statuses_and_capacity_survive_a_clean_restart_of_the_single_node()
    {
        using var data = new TempDirectory();
        const string company = "nordvakt";
        var node = await RunningNode.StartAsync(data.Path);
        await using (node)
        {
            await node.Company.RegisterUnitsAsync(Register(company, Unit("u1", 3, "vest", "patrol"), Unit("u2", 4, "vest", "patrol"), Unit("u3", 5, "vest", "patrol")));
            await node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
            await node.Company.ReportUnitAsync(Report(company, "u2", UnitStatus.OutOfService));
            // A position-only heartbeat is held in memory; a clean stop must still write it.
            await node.Company.ReportUnitAsync(new UnitReport { CompanyId = company, UnitId = "u3", Position = new GeoPoint { Latitude = 61.0, Longitude = 5.0 } });
        }

        Assert.True(File.Exists(Path.Combine(data.Path, "coordination.db")));
        await using var restarted = await RunningNode.StartAsync(data.Path);

        var units = (await restarted.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.ToDictionary(u => u.UnitId);
        Assert.Equal(UnitStatus.Available, units["u1"].Status);
        Assert.Equal(UnitStatus.OutOfService, units["u2"].Status);
        Assert.Equal(UnitStatus.Unavailable, units["u3"].Status);
        Assert.Equal(61.0, units["u3"].Position.Latitude);
        var vest = await restarted.Police.GetCapacityAsync(District("vest"));
        Assert.Equal(3, vest.For("patrol").AvailableGuards);
        Assert.Equal(3, vest.RegisteredUnits);
        Assert.True(await Eventually.Holds(async () => (await restarted.Police.GetCapacityAsync(National())).For("patrol").AvailableGuards == 3));
    }

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGKILL")]
    public async Task Every_unit_and_its_last_acknowledged_status_survive_the_process_being_stopped(string signal)
    {
        using var data = new TempDirectory();
        const string company = "vaktselskap";
        var units = Enumerable.Range(0, 40).Select(i => Unit($"u{i}", 1 + (i % 4), i % 2 == 0 ? "oslo" : "ost", "access-control")).ToArray();
        var expected = new Dictionary<string, UnitStatus>();

        await using (var silo = await SiloProcess.StartAsync(data.Path))
        {
            await silo.Company.RegisterUnitsAsync(Register(company, units));
            var random = new Random(17);
            foreach (var unit in units)
            {
                // The last acknowledged report per unit is what must come back.
                var steps = random.Next(0, 3);
                var status = UnitStatus.Unavailable;
                for (var s = 0; s < steps; s++)
                {
                    status = status == UnitStatus.Available ? UnitStatus.OutOfService : UnitStatus.Available;
                    var ack = await silo.Company.ReportUnitAsync(Report(company, unit.UnitId, status));
                    Assert.True(ack.Durable);
                }

                expected[unit.UnitId] = status;
            }

            if (signal == "SIGTERM")
            {
                await silo.TerminateAsync();
                Assert.Equal(0, silo.ExitCode);
            }
            else
            {
                await silo.KillAsync();
            }
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path);
        var listed = (await restarted.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units;

        Assert.Equal(expected.Keys.Order(), listed.Select(u => u.UnitId).Order());
        Assert.All(listed, u => Assert.Equal(expected[u.UnitId], u.Status));

        var oslo = await restarted.Police.GetCapacityAsync(new GetCapacityRequest { Scope = CapacityScope.DistrictAndNeighbours, DistrictId = "oslo" });
        var availableGuards = units.Where(u => expected[u.UnitId] == UnitStatus.Available).Sum(u => u.Headcount);
        Assert.Equal(availableGuards, oslo.For("access-control").AvailableGuards);
    }

    [Fact]
    public async Task A_stop_during_start_up_ends_as_a_stop_and_the_next_start_serves_from_the_same_store()
    {
        using var data = new TempDirectory();
        await using (var starting = SiloProcess.Launch(data.Path))
        {
            // A fresh store's schema is the first thing the node logs from inside its start, well before it serves.
            Assert.True(await starting.PrintsWithin("Applied database script", TimeSpan.FromSeconds(60)), starting.Output);
            await starting.TerminateHereAsync();

            Assert.Equal(0, starting.ExitCode);
            Assert.Contains("Stopped during start-up", starting.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", starting.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("single node ready", starting.Output, StringComparison.Ordinal);
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path);
        await restarted.Company.RegisterUnitsAsync(Register("vaktselskap", Unit("u1", 2, "oslo", "patrol")));
        var ack = await restarted.Company.ReportUnitAsync(Report("vaktselskap", "u1", UnitStatus.Available));
        Assert.True(ack.Durable);
        Assert.Equal(UnitStatus.Available, ack.Unit.Status);
    }

    [Fact]
    public async Task A_heartbeat_position_reaches_the_disk_within_the_flush_interval_even_without_a_clean_stop()
    {
        using var data = new TempDirectory();
        await using (var silo = await SiloProcess.StartAsync(data.Path, "--Coordination:Units:HeartbeatFlushInterval=00:00:00.200"))
        {
            await silo.Company.RegisterUnitsAsync(Register("flusher", Unit("u1", 2, "agder", "patrol")));
            var ack = await silo.Company.ReportUnitAsync(new UnitReport { CompanyId = "flusher", UnitId = "u1", Position = new GeoPoint { Latitude = 58.15, Longitude = 8.0 } });
            Assert.False(ack.Durable);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await silo.KillAsync();
        }

        await using var restarted = await SiloProcess.StartAsync(data.Path);
        var unit = (await restarted.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = "flusher" })).Units.Single();
        Assert.Equal(58.15, unit.Position.Latitude);
    }
}
