using Coordination.Api.V1;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// A silo joining or leaving the cluster moves only what it must. With Orleans' default grain
/// directory, a silo that left took half of the directory with it and the silo that stayed
/// deactivated every grain listed in that half (34,583 activations in the benchmark's two-silo step),
/// so districts rebuilt their figures from thousands of units at the moment the cluster was already
/// one silo short; and while a joining silo waited for its half of the directory, a call could start
/// a second activation of a grain that was alive on the other silo.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloChangeTests(PostgresServer postgres)
{
    private const int Units = 40;

    [Fact]
    public async Task A_silo_joining_and_leaving_leaves_the_other_silos_grains_where_they_are()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        var settings = PostgresServer.NodeSettings(database);
        var company = Ids.Company("stay");

        // The units are activated while the first silo is alone, so they all live there.
        await using var first = await RunningNode.StartAsync(data.Path, settings);
        await first.Company.RegisterUnitsAsync(Register(company, [.. Enumerable.Range(0, Units).Select(u => UnitAt($"u{u}", 2, "vest", 60.39 + (u * 0.001), 5.32, "patrol"))]));
        var management = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        var here = first.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var before = await UnitsOn(management, here, company);
        Assert.Equal(Units, before.Count);

        await using (var second = await RunningNode.StartAsync(data.Path, settings))
        {
            // The new silo answers for the company while the units stay where they are.
            var units = await second.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });
            Assert.Equal(Units, units.Units.Count);
            Assert.Equal(before, await UnitsOn(management, here, company));
        }

        // The second silo has left (gracefully, as in a rolling upgrade). Whatever the first silo would
        // deactivate for it starts when it sees the second shutting down, which is before the second's
        // stop completes; a moment more lets such deactivations finish, so a regression shows here.
        Assert.True(await Eventually.Holds(async () => (await management.GetHosts(onlyActive: true)).Count == 1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var staying = await UnitsOn(management, here, company);
        Assert.True(staying.SetEquals(before), $"{before.Except(staying).Count()} of {Units} units were deactivated on the silo that stayed");

        // And they still answer, from the same activations.
        var after = await first.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });
        Assert.Equal(Units, after.Units.Count);
    }

    private static async Task<HashSet<string>> UnitsOn(IManagementGrain management, SiloAddress silo, string company) =>
        (await management.GetDetailedGrainStatistics(hostsIds: [silo]))
            .Select(s => s.GrainId.ToString())
            .Where(id => id.StartsWith("guardunit/", StringComparison.Ordinal) && id.Contains(company, StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
}
