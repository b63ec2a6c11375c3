using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>A two-silo cluster of its own: only this class has units in Oslo's neighbours.</summary>
public sealed class LendingCluster : ClusterFixture;

/// <summary>
/// A lending district's protected reserve holds however many requests arrive at once, and the
/// requests still get every unit above it. (The outside test saw Innlandet, reserve 15 with 16
/// available, lend 2 in every run, and Øst, reserve 25 with 30, lend 7.)
/// </summary>
public sealed class LendingReserveTests(LendingCluster fixture) : IClassFixture<LendingCluster>
{
    [Fact]
    public async Task Concurrent_neighbour_requests_never_take_a_lending_district_below_its_reserve_and_get_every_unit_above_it()
    {
        var grains = fixture.Grains;
        var company = Ids.Company("lender");
        var innlandet = ReferenceData.Current.DistrictsById["innlandet"];
        var ost = ReferenceData.Current.DistrictsById["ost"];
        var lendable = (16 - innlandet.ProtectedReserveGuards) + (30 - ost.ProtectedReserveGuards);
        var units = Enumerable.Range(1, 16).Select(i => new UnitRegistration($"inn-{i}", 1, ["patrol"], "innlandet", innlandet.Position))
            .Concat(Enumerable.Range(1, 30).Select(i => new UnitRegistration($"ost-{i}", 1, ["patrol"], "ost", ost.Position)))
            .ToList();
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, units);
        await grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        await Task.WhenAll(units.Select(u => grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, u.UnitId)).ReportStatus(UnitStatus.Available, null)));
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IDistrictGrain>("ost").GetCapacity()).AvailableGuards == 30), "setup: Øst's figures");

        // Oslo itself has no units: 25 incidents with two 1-guard requests each, every request sent twice at once.
        var oslo = ReferenceData.Current.DistrictsById["oslo"].Position;
        var incidents = new List<IIncidentGrain>();
        for (var i = 0; i < 25; i++)
        {
            var requestId = $"lend-{i}-{Guid.NewGuid():N}"[..20];
            var incident = grains.GetGrain<IIncidentGrain>(IncidentIds.Of("oslo", requestId));
            await incident.Open(new OpenIncident(requestId, "oslo", "Mutual aid", oslo, Priority.Urgent, false, "police:oslo"));
            incidents.Add(incident);
        }

        var start = DateTimeOffset.UtcNow;
        var calls = incidents.SelectMany(incident => new[] { "r1", "r2" }.SelectMany(r => new[] { r, r }.Select(id =>
            incident.RequestCapacity(new RequestCapacity(id, "patrol", 1, oslo, start, TimeSpan.FromHours(1), false, true, "police:oslo")))));
        await Task.WhenAll(calls);

        var requests = (await Task.WhenAll(incidents.Select(i => i.Get()))).SelectMany(v => v.Requests).ToList();
        Assert.Equal(50, requests.Count);
        Assert.Equal(lendable, requests.Sum(r => r.CommittedGuards));
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IDistrictGrain>("innlandet").GetCapacity()).AvailableGuards == innlandet.ProtectedReserveGuards),
            $"Innlandet has {(await grains.GetGrain<IDistrictGrain>("innlandet").GetCapacity()).AvailableGuards} available, reserve {innlandet.ProtectedReserveGuards}");
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IDistrictGrain>("ost").GetCapacity()).AvailableGuards == ost.ProtectedReserveGuards),
            $"Øst has {(await grains.GetGrain<IDistrictGrain>("ost").GetCapacity()).AvailableGuards} available, reserve {ost.ProtectedReserveGuards}");
    }
}

/// <summary>The lending decision itself, without a cluster.</summary>
public sealed class LendingLedgerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_unit_is_lent_only_while_what_stays_available_covers_the_reserve()
    {
        var ledger = new LendingLedger(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));

        Assert.True(ledger.TryLend("a", 1, availableGuards: 17, reserveGuards: 15, Now));
        Assert.True(ledger.TryLend("b", 1, availableGuards: 17, reserveGuards: 15, Now));
        Assert.False(ledger.TryLend("c", 1, availableGuards: 17, reserveGuards: 15, Now)); // a and b not yet in the figures
    }

    [Fact]
    public void A_promise_leaves_the_ledger_once_the_figures_carry_it_or_when_it_lapses()
    {
        var ledger = new LendingLedger(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        Assert.True(ledger.TryLend("a", 1, 16, 15, Now));

        Assert.False(ledger.TryLend("b", 1, 16, 15, Now));
        ledger.Settled("a");
        Assert.True(ledger.TryLend("b", 1, 16, 15, Now)); // a is in the figures now, which show 16 again (another unit came back)
        Assert.True(ledger.TryLend("c", 1, 16, 15, Now.AddSeconds(11))); // b's commitment never came: its promise lapsed
    }

    [Fact]
    public void Units_handed_to_one_request_count_against_the_others_but_not_against_itself()
    {
        var ledger = new LendingLedger(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        ledger.Hold("a", 2, "oslo.x/r1", Now);

        Assert.Equal(5, ledger.Lendable(20, 15, Now, "oslo.x/r1"));
        Assert.Equal(3, ledger.Lendable(20, 15, Now, "oslo.y/r1"));
        Assert.Equal(5, ledger.Lendable(20, 15, Now.AddSeconds(3), "oslo.y/r1")); // the hold lapsed
        Assert.True(ledger.TryLend("a", 2, 20, 15, Now)); // its own hold does not count against it
    }
}
