using Coordination.Domain;
using Coordination.Silo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>A one-silo cluster of its own for recovery scenarios.</summary>
public sealed class RecoveryCluster : ClusterFixture
{
    protected override short Silos => 1;
}

/// <summary>
/// The commitment protocol stopped half-way: the incident wrote its intent, the unit committed, and
/// the silo went down before the incident wrote the outcome. The incident's next activation must
/// finish the commitment, exactly once.
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
}
