using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>The whole life of a capacity request over gRPC, as police and company control rooms drive it.</summary>
[Collection(IncidentNodeCollection.Name)]
public sealed class IncidentEndToEndTests(IncidentNodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Requests_arriving_together_are_offered_different_units_not_all_the_nearest()
    {
        // One hand-answering company with two units near Tromsø: the nearer is offered to the first
        // request; a second incident asking a moment later gets the other one instead of the same.
        await Node.Company.RegisterUnitsAsync(Register("nordlys",
            UnitAt("n1", 2, "troms", 69.650, 18.956, "dog-handler"), UnitAt("n2", 2, "troms", 69.660, 18.990, "dog-handler")));
        await Feed("nordlys", "n1", "n2");
        var first = (await Node.Police.OpenIncidentAsync(Incident("troms", "harbour-a"))).IncidentId;
        var second = (await Node.Police.OpenIncidentAsync(Incident("troms", "harbour-b"))).IncidentId;
        var at = new GeoPoint { Latitude = 69.649, Longitude = 18.955 };

        await Node.Police.RequestCapacityAsync(Capacity(first, "dogs", "dog-handler", 2, at: at));
        await Node.Police.RequestCapacityAsync(Capacity(second, "dogs", "dog-handler", 2, at: at));

        async Task<string> Offered(string incident) =>
            (await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).Requests.Single().Offers.Single().SuggestedUnitIds.Single();
        Assert.Equal("n1", await Offered(first));
        Assert.Equal("n2", await Offered(second));
    }

    [Fact]
    public async Task Request_offers_commit_decline_automatic_fill_progress_and_release()
    {
        // Three companies around Oslo S: Alfa nearest (3 units of 2), Bravo next (2 units of 2),
        // Charlie further out with a framework agreement for high priority (6 units of 1).
        await Node.Company.RegisterUnitsAsync(Register("alfa",
            UnitAt("a1", 2, "oslo", 59.9115, 10.7530, "access-control"), UnitAt("a2", 2, "oslo", 59.9120, 10.7520, "access-control"), UnitAt("a3", 2, "oslo", 59.9130, 10.7540, "access-control")));
        await Node.Company.RegisterUnitsAsync(Register("bravo",
            UnitAt("b1", 2, "oslo", 59.9200, 10.7600, "access-control"), UnitAt("b2", 2, "oslo", 59.9210, 10.7610, "access-control")));
        await Node.Company.RegisterUnitsAsync(Register("charlie",
            [.. Enumerable.Range(1, 6).Select(i => UnitAt($"c{i}", 1, "oslo", 59.95, 10.80, "access-control"))]));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "charlie", Priorities = { Priority.High } });
        await Feed("alfa", "a1", "a2", "a3");
        await Feed("bravo", "b1", "b2");
        await Feed("charlie", "c1", "c2", "c3", "c4", "c5", "c6");
        var before = await Node.Police.GetCapacityAsync(District("oslo"));

        using var alfaOffers = Node.Company.WatchOffers(new WatchOffersRequest { CompanyId = "alfa" });
        using var bravoOffers = Node.Company.WatchOffers(new WatchOffersRequest { CompanyId = "bravo" });
        var incident = await Node.Police.OpenIncidentAsync(Incident("oslo", "e2e"));
        var requested = await Node.Police.RequestCapacityAsync(Capacity(incident.IncidentId, "access-1", "access-control", 10));

        // Both hand-answering companies receive an offer; together they cover the request for now.
        var alfaOffer = await NextOffer(alfaOffers);
        var bravoOffer = await NextOffer(bravoOffers);
        Assert.Equal((6, "access-control", "oslo"), (alfaOffer.Guards, alfaOffer.Capability, alfaOffer.DistrictId));
        Assert.Equal(4, bravoOffer.Guards);
        Assert.Equal(RequestStatus.Seeking, requested.Status);
        Assert.Equal(10, requested.OfferedGuards);

        var alfaAnswer = await Node.Company.AnswerOfferAsync(new AnswerOfferRequest
        {
            CompanyId = "alfa", OfferId = alfaOffer.OfferId, AnswerId = "alfa-1", Commit = new CommitUnits { UnitIds = { alfaOffer.SuggestedUnitIds } },
        });
        var bravoAnswer = await Node.Company.AnswerOfferAsync(new AnswerOfferRequest
        {
            CompanyId = "bravo", OfferId = bravoOffer.OfferId, AnswerId = "bravo-1", Decline = new Decline { Reason = "units needed at a client site" },
        });
        Assert.Equal((OfferStatus.Committed, 6), (alfaAnswer.Status, alfaAnswer.CommittedGuards));
        Assert.Equal(OfferStatus.Declined, bravoAnswer.Status);

        // The request moved on to Charlie, whose framework agreement committed the remaining 4 at once.
        var filled = (await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId })).Requests.Single();
        Assert.Equal(RequestStatus.Filled, filled.Status);
        Assert.Equal(10, filled.CommittedGuards);
        Assert.Equal(["alfa", "charlie"], filled.Assignments.Select(a => a.CompanyId).Distinct().Order());
        Assert.Equal(4, filled.Assignments.Where(a => a.CompanyId == "charlie").Sum(a => a.Guards));
        Assert.True(filled.Offers.Single(o => o.CompanyId == "charlie").Automatic);

        // The watchers see their offers close.
        Assert.Equal((OfferEvent.Types.Kind.Closed, OfferStatus.Committed), await NextEvent(alfaOffers));
        Assert.Equal((OfferEvent.Types.Kind.Closed, OfferStatus.Declined), await NextEvent(bravoOffers));

        foreach (var progress in new[] { AssignmentProgress.EnRoute, AssignmentProgress.OnScene })
        {
            foreach (var assignment in filled.Assignments)
            {
                await Node.Company.ReportAssignmentProgressAsync(new AssignmentProgressRequest { CompanyId = assignment.CompanyId, UnitId = assignment.UnitId, Progress = progress });
            }
        }

        var onScene = await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = "alfa" });
        Assert.All(onScene.Units, u => Assert.Equal((UnitStatus.OnScene, incident.IncidentId), (u.Status, u.IncidentId)));

        var released = await Node.Police.ReleaseUnitsAsync(new ReleaseUnitsRequest { IncidentId = incident.IncidentId, Reason = "event over" });
        Assert.Equal(RequestStatus.Completed, released.Requests.Single().Status);
        Assert.All(released.Requests.Single().Assignments, a => Assert.Equal(AssignmentStatus.Released, a.Status));

        // Every unit is available again and the district's figures are back where they started.
        foreach (var company in new[] { "alfa", "bravo", "charlie" })
        {
            Assert.All((await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units, u => Assert.Equal((UnitStatus.Available, ""), (u.Status, u.IncidentId)));
        }

        var after = await Node.Police.GetCapacityAsync(District("oslo"));
        Assert.Equal(before.ByCapability, after.ByCapability);
        Assert.Equal(before.ByStatus, after.ByStatus);

        // The timeline holds every step, in order.
        var timeline = released.Timeline.Select(e => (e.Kind, e.CompanyId)).ToList();
        Assert.Equal(
        [
            (TimelineKind.Opened, ""),
            (TimelineKind.Requested, ""),
            (TimelineKind.Offered, "alfa"),
            (TimelineKind.Offered, "bravo"),
            (TimelineKind.Committed, "alfa"),
            (TimelineKind.Declined, "bravo"),
            (TimelineKind.Offered, "charlie"),
            (TimelineKind.Committed, "charlie"),
            (TimelineKind.Filled, ""),
            .. Enumerable.Repeat((TimelineKind.EnRoute, "alfa"), 3), .. Enumerable.Repeat((TimelineKind.EnRoute, "charlie"), 4),
            .. Enumerable.Repeat((TimelineKind.OnScene, "alfa"), 3), .. Enumerable.Repeat((TimelineKind.OnScene, "charlie"), 4),
            (TimelineKind.Released, "alfa"),
            (TimelineKind.Released, "charlie"),
        ], timeline);
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(i => (long)i), released.Timeline.Select(e => e.Sequence));
        Assert.Equal("company:bravo", released.Timeline.Single(e => e.Kind == TimelineKind.Declined).Actor);
        Assert.Equal("units needed at a client site", released.Timeline.Single(e => e.Kind == TimelineKind.Declined).Reason);
        Assert.Equal("framework-agreement:charlie", released.Timeline.Single(e => e.Kind == TimelineKind.Committed && e.CompanyId == "charlie").Actor);
        Assert.Equal("police:pod", released.Timeline.First().Actor);
        Assert.True(released.Timeline.Zip(released.Timeline.Skip(1)).All(p => p.First.At <= p.Second.At));
    }

    private async Task Feed(string company, params string[] units)
    {
        foreach (var unit in units)
        {
            await Node.Company.ReportUnitAsync(Report(company, unit, UnitStatus.Available));
        }
    }

    private static async Task<Offer> NextOffer(AsyncServerStreamingCall<OfferEvent> watch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        // Outstanding when the watch was set up after the offer was made, new otherwise: either way first.
        Assert.Contains(watch.ResponseStream.Current.Kind, new[] { OfferEvent.Types.Kind.New, OfferEvent.Types.Kind.Outstanding });
        return watch.ResponseStream.Current.Offer;
    }

    private static async Task<(OfferEvent.Types.Kind, OfferStatus)> NextEvent(AsyncServerStreamingCall<OfferEvent> watch)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        return (watch.ResponseStream.Current.Kind, watch.ResponseStream.Current.Offer.Status);
    }
}
