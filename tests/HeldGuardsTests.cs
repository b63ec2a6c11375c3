using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>
/// The figures say what is held now, and show what was released as history: an all-or-nothing
/// request that ends unable to fill holds nothing, though a unit was committed to it on the way.
/// </summary>
public sealed class HeldGuardsTests(RecoveryCluster fixture) : IClassFixture<RecoveryCluster>
{
    [Fact]
    public async Task An_all_or_nothing_request_that_fails_holds_nothing_and_shows_its_released_guards_as_history()
    {
        const string district = "ost";
        var at = ReferenceData.Current.DistrictsById[district].Position;
        var company = Ids.Company("held");
        var grains = fixture.Grains;
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district, at)]);
        await grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1")).ReportStatus(UnitStatus.Available, null);
        var requestId = $"held-{Guid.NewGuid():N}"[..16];
        var incident = grains.GetGrain<IIncidentGrain>(IncidentIds.Of(district, requestId));
        await incident.Open(new OpenIncident(requestId, district, "All or nothing", at, Priority.Urgent, false, $"police:{district}"));

        // Four guards wanted, partial fill not allowed, one unit of two: it is committed, then released again.
        var request = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 4, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), false, false, $"police:{district}"));

        Assert.Equal(RequestStatus.UnableToFill, request.Status);
        Assert.Equal((0, 2), (request.CommittedGuards, request.ReleasedGuards));
        var offer = request.Offers.Single();
        Assert.Equal((OfferStatus.Committed, 0, 2), (offer.Status, offer.CommittedGuards, offer.ReleasedGuards));
        Assert.Equal(AssignmentStatus.Released, request.Assignments.Single().Status);
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IDistrictGrain>(district).GetSituation()).Incidents
            .Any(i => i.IncidentId == incident.GetPrimaryKeyString() && (i.CommittedGuards, i.UnfilledGuards) == (0, 4))), "the board must show 0 committed and 4 unfilled guards");
        Assert.Equal(UnitStatus.Available, (await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1")).Get())!.Status);
    }

    [Fact]
    public async Task A_request_larger_than_what_is_left_says_units_are_not_split()
    {
        const string district = "sor-vest";
        var at = ReferenceData.Current.DistrictsById[district].Position;
        var company = Ids.Company("split");
        var grains = fixture.Grains;
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("big", 10, ["patrol"], district, at)]);
        await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "big")).ReportStatus(UnitStatus.Available, null);
        var requestId = $"split-{Guid.NewGuid():N}"[..16];
        var incident = grains.GetGrain<IIncidentGrain>(IncidentIds.Of(district, requestId));
        await incident.Open(new OpenIncident(requestId, district, "Too big", at, Priority.Urgent, false, $"police:{district}"));

        var request = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 8, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), false, false, $"police:{district}"));

        Assert.Equal(RequestStatus.UnableToFill, request.Status);
        var reason = (await incident.Get()).Timeline.Single(e => e.Kind == TimelineKind.UnableToFill).Reason;
        Assert.Contains("units are not split", reason);
        Assert.Contains("10 guards", reason);
    }
}
