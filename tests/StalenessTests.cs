using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>A cluster whose units go stale after one second without a heartbeat.</summary>
public sealed class ShortStalenessCluster : ClusterFixture
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    protected override short Silos => 1;

    protected override TimeSpan StaleAfter => Window;
}

public sealed class StalenessTests(ShortStalenessCluster fixture) : IClassFixture<ShortStalenessCluster>
{
    [Fact]
    public async Task A_unit_without_a_heartbeat_stops_counting_and_counts_again_on_its_next_heartbeat()
    {
        var company = Ids.Company();
        var district = fixture.Grains.GetGrain<IDistrictGrain>("nordland");
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 6, ["first-aid"], "nordland", null)]);
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1"));

        var fresh = (await unit.ReportStatus(UnitStatus.Available, null)).Unit;
        Assert.True(fresh.CountedAvailable);
        Assert.Equal(6, (await district.GetCapacity()).AvailableGuards);

        // Nobody calls the unit: its own timer notices the silence and tells the district.
        Assert.True(await Eventually.Holds(async () => (await district.GetCapacity()).AvailableGuards == 0, TimeSpan.FromSeconds(5)));
        var stale = (await unit.Get())!;
        Assert.True(stale.Stale);
        Assert.False(stale.CountedAvailable);
        Assert.Equal(UnitStatus.Available, stale.Status);
        Assert.Equal(1, (await district.GetCapacity()).StaleUnits);

        var back = await unit.Ping(null);
        Assert.True(back.CountedAvailable);
        Assert.Equal(6, (await district.GetCapacity()).AvailableGuards);
        Assert.Equal(0, (await district.GetCapacity()).StaleUnits);
    }

    [Fact]
    public async Task A_stale_unit_cannot_be_committed()
    {
        var company = Ids.Company();
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "troms", null)]);
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1"));
        await unit.ReportStatus(UnitStatus.Available, null);

        await Task.Delay(ShortStalenessCluster.Window + TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<CoordinationException>(() => unit.Commit("c-1", "incident-1"));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Code);
        Assert.Equal(UnitStatus.Available, (await unit.Get())!.Status);
    }
}
