using Coordination.Domain;
using Coordination.Silo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>A one-silo cluster of its own for recovery scenarios; units check their commitments within a second.</summary>
public sealed class RecoveryCluster : ClusterFixture
{
    protected override short Silos => 1;

    protected override TimeSpan CommitmentCheckAfter => TimeSpan.FromSeconds(1);
}

/// <summary>
/// The commitment protocol stopped half-way. A unit's commitment is the intent: the incident writes
/// only the outcome, and a unit whose incident never stored it is let go by the unit's own check. An
/// intent stored by an earlier build (on the offer) is still finished, exactly once.
/// </summary>
public sealed class CommitRecoveryTests(RecoveryCluster fixture) : IClassFixture<RecoveryCluster>
{
    [Fact]
    public async Task An_incident_that_stopped_between_a_unit_commit_and_its_outcome_finishes_the_commitment_on_activation()
    {
        var company = Ids.Company("recover");
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "oslo", new GeoPoint(59.91, 10.75))]);
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1"));
        await unit.ReportStatus(UnitStatus.Available, null);

        var incidentId = IncidentIds.Of("oslo", $"rec-{Guid.NewGuid():N}"[..16]);
        var offerId = IncidentIds.Offer(incidentId, 1);
        var at = new GeoPoint(59.91, 10.75);

        // What the incident had written before the stop: the request, the offer and the intent to commit u1...
        var state = new IncidentState
        {
            Opening = new OpenIncident(incidentId[5..], "oslo", "Recovered", at, Priority.Urgent, false, "police:oslo"),
            OpenedAt = DateTimeOffset.UtcNow,
            OffersMade = 1,
            Requests =
            [
                new CapacityRequestState
                {
                    Command = new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), true, false, "police:oslo"),
                    End = DateTimeOffset.UtcNow.AddHours(2),
                    Offers =
                    [
                        new OfferState
                        {
                            OfferId = offerId, CompanyId = company, Guards = 2, SuggestedUnits = [UnitKey.Of(company, "u1")],
                            Deadline = DateTimeOffset.UtcNow.AddMinutes(5), Automatic = true, Delivered = true,
                            Intent = new CommitIntent("automatic", [UnitKey.Of(company, "u1")], $"framework-agreement:{company}", AllOrNothing: false),
                        },
                    ],
                },
            ],
        };
        var storage = fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>("grains");
        await storage.WriteStateAsync("incident", GrainId.Create("incident", incidentId), new GrainState<IncidentState>(state));

        // ...and the unit had committed under that offer.
        await unit.Commit(offerId, incidentId);

        var incident = fixture.Grains.GetGrain<IIncidentGrain>(incidentId);
        RequestView? request = null;
        var finished = await Eventually.Holds(async () =>
        {
            request = (await incident.Get()).Requests.Single();
            return request.Status == RequestStatus.Filled;
        });

        Assert.True(finished, $"request is {request?.Status}");
        Assert.Equal([("u1", AssignmentStatus.Committed, 2)], request!.Assignments.Select(a => (a.UnitId, a.Status, a.Guards)));
        Assert.Equal((OfferStatus.Committed, 2), (request.Offers.Single().Status, request.Offers.Single().CommittedGuards));
        Assert.Equal((UnitStatus.Committed, incidentId), ((await unit.Get())!.Status, (await unit.Get())!.IncidentId));
        Assert.Single((await incident.Get()).Timeline, e => e.Kind == TimelineKind.Committed);
    }

    [Fact]
    public async Task A_unit_committed_under_an_offer_its_incident_never_stored_is_let_go_by_its_check_and_a_held_one_stays()
    {
        var company = Ids.Company("orphan");
        var at = ReferenceData.Current.DistrictsById["agder"].Position;
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("held", 2, ["patrol"], "agder", at), new UnitRegistration("orphan", 2, ["patrol"], "agder", at)]);
        await fixture.Grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        var held = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "held"));
        var orphan = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "orphan"));
        await held.ReportStatus(UnitStatus.Available, null);

        var requestId = $"orph-{Guid.NewGuid():N}"[..16];
        var incidentId = IncidentIds.Of("agder", requestId);
        var incident = fixture.Grains.GetGrain<IIncidentGrain>(incidentId);
        await incident.Open(new OpenIncident(requestId, "agder", "Orphaned commitment", at, Priority.Urgent, false, "police:agder"));
        var request = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), false, false, "police:agder"));
        Assert.Equal("held", request.Assignments.Single().UnitId);

        // As a command cut off before its write leaves it: the unit committed under an offer the incident never stored.
        await orphan.ReportStatus(UnitStatus.Available, null);
        var unstoredOffer = IncidentIds.Offer(incidentId, 99);
        await orphan.Commit(unstoredOffer, incidentId);
        Assert.Equal(UnitStatus.Committed, (await orphan.Get())!.Status);

        Assert.True(await Eventually.Holds(async () => (await orphan.Get())!.Status == UnitStatus.Available, TimeSpan.FromSeconds(15)),
            "the unit was never let go of a commitment its incident does not hold");
        Assert.Null((await fixture.Stored<GuardUnitState>("unit", "guardunit", UnitKey.Of(company, "orphan"))).CommitmentId);

        // The held unit was committed first, so its own check has been answered too: it stays committed.
        Assert.Equal((UnitStatus.Committed, incidentId), ((await held.Get())!.Status, (await held.Get())!.IncidentId));
        Assert.Equal(AssignmentStatus.Committed, (await incident.Get()).Requests.Single().Assignments.Single().Status);
    }
}
