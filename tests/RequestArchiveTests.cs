using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>The archive's decisions on a bare state: which requests leave the live list, pages, lookups, order.</summary>
public sealed class RequestArchiveDecisionTests
{
    [Fact]
    public void Only_a_request_that_is_over_and_holds_nothing_is_archived_and_one_a_release_names_stays()
    {
        var state = new IncidentState();
        var archive = new RequestArchive(state);
        var cancelled = Add(archive, "cancelled", RequestStatus.Cancelled);
        var completed = Add(archive, "completed", RequestStatus.Completed);
        var filled = Add(archive, "filled", RequestStatus.Filled, held: true);
        var unfilled = Add(archive, "unfilled", RequestStatus.UnableToFill);
        var seeking = Add(archive, "seeking", RequestStatus.Seeking);
        var waiting = Add(archive, "waiting", RequestStatus.Cancelled);
        waiting.Offers.Add(new OfferState { OfferId = "o1", CompanyId = "c", Status = OfferStatus.Committed, Intent = new CommitIntent("a", [], "x", false) });
        var named = Add(archive, "named", RequestStatus.Cancelled);

        archive.Collect(new ReleaseIntent(ReleaseCause.CancelRequest, "police:x", null, null, "named", [], []));

        Assert.Equal([filled, unfilled, seeking, waiting, named], state.Requests);
        Assert.Equal([cancelled, completed], state.Archived);
        Assert.Same(completed, archive.Find("completed"));
        Assert.Same(seeking, archive.Find("seeking"));
    }

    [Fact]
    public void A_full_archive_is_a_page_to_seal_and_once_sealed_the_incident_keeps_only_what_came_after()
    {
        var state = new IncidentState();
        var archive = new RequestArchive(state);
        for (var i = 1; i < RequestArchive.PageSize; i++)
        {
            Add(archive, $"r{i}", RequestStatus.Cancelled);
        }

        archive.Collect(null);
        Assert.Null(archive.PageToSeal);

        Add(archive, "last", RequestStatus.Completed);
        archive.Collect(null);
        var page = archive.PageToSeal!;
        Assert.Equal(0, page.Number);
        Assert.Equal(RequestArchive.PageSize, page.Requests.Length);

        // A request archived between reading the page and storing it stays for the next page.
        var later = Add(archive, "later", RequestStatus.Cancelled);
        archive.Collect(null);
        Assert.True(archive.Sealed(page));

        Assert.Equal(1, state.ArchivePages);
        Assert.Equal([later], state.Archived);
        Assert.False(archive.Sealed(page), "a page stored twice is counted once");
        Assert.Equal(1, state.ArchivePages);
    }

    [Fact]
    public void Many_requests_archived_at_once_are_sealed_a_page_at_a_time_oldest_first()
    {
        var state = new IncidentState();
        var archive = new RequestArchive(state);
        var requests = Enumerable.Range(1, (2 * RequestArchive.PageSize) + 3).Select(i => Add(archive, $"r{i}", RequestStatus.Cancelled)).ToList();
        archive.Collect(null);

        var pages = new List<RequestPage>();
        while (archive.PageToSeal is { } page)
        {
            Assert.True(archive.Sealed(page));
            pages.Add(page);
        }

        Assert.Equal([0, 1], pages.Select(p => p.Number));
        Assert.All(pages, p => Assert.Equal(RequestArchive.PageSize, p.Requests.Length));
        Assert.Equal(requests.Take(2 * RequestArchive.PageSize), pages.SelectMany(p => p.Requests));
        Assert.Equal(requests.Skip(2 * RequestArchive.PageSize), state.Archived);
        Assert.Equal(2, state.ArchivePages);
    }

    [Fact]
    public void The_ids_a_new_request_is_checked_against_are_those_of_every_sealed_page()
    {
        var state = new IncidentState();
        var archive = new RequestArchive(state);
        var first = Add(archive, "r1", RequestStatus.Cancelled);
        var second = Add(archive, "r2", RequestStatus.Completed);
        var third = Add(archive, "r3", RequestStatus.Cancelled);

        var ids = RequestArchive.Ids([[first, second], [third, second]]);

        Assert.Equal(["r1", "r2", "r3"], ids.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("R1", ids);
    }

    [Fact]
    public void The_whole_incident_shows_each_request_once_in_its_own_order_with_the_newest_copy()
    {
        var state = new IncidentState();
        var archive = new RequestArchive(state);
        var r1 = Add(archive, "r1", RequestStatus.Completed);
        var r2 = Add(archive, "r2", RequestStatus.Cancelled);
        var r3 = Add(archive, "r3", RequestStatus.Filled, held: true);
        var pageCopy = new CapacityRequestState { Command = r1.Command, Status = RequestStatus.Completed, Number = r1.Number };
        archive.Collect(null);

        // r1 came back from a page to be cancelled: the page's copy is older than the live one.
        archive.BringBack(r1);
        r1.Status = RequestStatus.Cancelled;
        var whole = archive.Whole([[pageCopy]]);

        Assert.Equal([r1, r2, r3], whole);
        Assert.Equal(RequestStatus.Cancelled, whole[0].Status);
        Assert.Same(r2, RequestArchive.FindSealed([[pageCopy, r2], [r2]], r => r.Command.RequestId == "r2"));
    }

    [Fact]
    public void Requests_stored_before_they_had_numbers_are_numbered_in_the_order_kept()
    {
        var state = new IncidentState();
        state.Requests.Add(new CapacityRequestState { Command = Command("a") });
        state.Requests.Add(new CapacityRequestState { Command = Command("b") });
        var archive = new RequestArchive(state);

        archive.NumberOlderRequests();
        archive.Add(new CapacityRequestState { Command = Command("c") });

        Assert.Equal([1, 2, 3], state.Requests.Select(r => r.Number));
    }

    private static CapacityRequestState Add(RequestArchive archive, string id, RequestStatus status, bool held = false)
    {
        var request = new CapacityRequestState { Command = Command(id), Status = status };
        request.Assignments.Add(new AssignmentState { UnitKey = $"c/{id}", OfferId = "o", Guards = 2, Status = held ? AssignmentStatus.Committed : AssignmentStatus.Released });
        archive.Add(request);
        return request;
    }

    private static RequestCapacity Command(string id) =>
        new(id, "patrol", 2, new GeoPoint(69.6, 18.9), DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), true, false, "police:troms");
}

/// <summary>
/// An incident whose requests are over keeps only the ones still in play in its own state, and still
/// answers for every request it ever had: shown whole and in order, retried, cancelled, released, answered.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RequestArchiveTests(ClusterFixture fixture)
{
    // A capability no other test in this cluster registers, and a district per test, so only this test's units answer.
    private const string Capability = "cctv-monitoring";

    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private string District { get; set; } = "";
    private string Police => $"police:{District}";

    private IGrainFactory Grains => fixture.Grains;

    [Fact]
    public async Task An_incident_stores_only_requests_in_play_and_still_answers_for_every_archived_one()
    {
        District = "finnmark";
        var (company, units) = await Register(frameworkAgreement: true);
        var incident = await Open();
        var id = incident.GetPrimaryKeyString();
        var total = (2 * RequestArchive.PageSize) + (RequestArchive.PageSize / 2);
        var units5 = new List<string>();
        for (var i = 1; i <= total; i++)
        {
            var filled = await incident.RequestCapacity(Request($"r{i}"));
            Assert.True(filled.Status == RequestStatus.Filled, $"setup: r{i} is {filled.Status}");
            if (i == 5)
            {
                units5.AddRange(filled.Assignments.Select(a => UnitKey.Of(a.CompanyId, a.UnitId)));
            }

            await incident.CancelRequest($"r{i}", Police, "not needed");
        }

        var live = await incident.RequestCapacity(Request("live"));
        Assert.Equal(RequestStatus.Filled, live.Status);

        var stored = await fixture.Stored<IncidentState>("incident", "incident", id);
        Assert.Equal(["live"], stored.Requests.Select(r => r.Command.RequestId));
        Assert.Equal(2, stored.ArchivePages);
        Assert.Equal(RequestArchive.PageSize / 2, stored.Archived.Count);

        for (var pass = 0; pass < 2; pass++)
        {
            var view = await incident.Get();
            Assert.Equal([.. Enumerable.Range(1, total).Select(i => $"r{i}"), "live"], view.Requests.Select(r => r.RequestId));
            Assert.All(view.Requests.SkipLast(1), r => Assert.Equal((RequestStatus.Cancelled, 2), (r.Status, r.ReleasedGuards)));

            // A retry of an archived request gets its first answer; the same id for another request is refused.
            var retried = await incident.RequestCapacity(Request("r5"));
            Assert.Equal((RequestStatus.Cancelled, 1), (retried.Status, retried.Offers.Count));
            var other = await Assert.ThrowsAsync<CoordinationException>(() => incident.RequestCapacity(Request("r5") with { Guards = 4 }));
            Assert.Equal(ErrorKind.AlreadyExists, other.Code);

            // Cancelling again, extending, releasing its unit again: as before it was archived.
            Assert.Equal(RequestStatus.Cancelled, (await incident.CancelRequest("r5", Police, "again")).Status);
            var extend = await Assert.ThrowsAsync<CoordinationException>(() => incident.Extend("r5", DateTimeOffset.UtcNow.AddDays(1), Police));
            Assert.Equal(ErrorKind.FailedPrecondition, extend.Code);
            await incident.Release([.. units5], Police, "again");
            var stranger = await Assert.ThrowsAsync<CoordinationException>(() => incident.Release([UnitKey.Of(company, "never")], Police, null));
            Assert.Equal(ErrorKind.NotFound, stranger.Code);
            Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CoordinationException>(() => incident.CancelRequest("nope", Police, null))).Code);

            Assert.Equal(total, (await incident.Get()).Timeline.Count(e => e.Kind == TimelineKind.Cancelled));

            // The same from storage: a new activation reads the pages.
            await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        }

        Assert.All(await Task.WhenAll(units.Skip(1).Select(u => Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, u)).Get())), u => Assert.Equal(UnitStatus.Available, u!.Status));
    }

    [Fact]
    public async Task A_completed_request_sealed_in_a_page_can_still_be_cancelled_and_is_shown_once()
    {
        District = "troms";
        await Register(frameworkAgreement: true);
        var incident = await Open();
        var first = await incident.RequestCapacity(Request("first"));
        Assert.Equal(RequestStatus.Filled, first.Status);
        await incident.Release([.. first.Assignments.Select(a => UnitKey.Of(a.CompanyId, a.UnitId))], Police, "done");
        for (var i = 1; i < RequestArchive.PageSize; i++)
        {
            Assert.Equal(RequestStatus.Filled, (await incident.RequestCapacity(Request($"r{i}"))).Status);
            await incident.CancelRequest($"r{i}", Police, null);
        }

        Assert.Equal(1, (await fixture.Stored<IncidentState>("incident", "incident", incident.GetPrimaryKeyString())).ArchivePages);
        Assert.Equal(RequestStatus.Completed, (await incident.Get()).Requests[0].Status);

        var cancelled = await incident.CancelRequest("first", Police, "paperwork");

        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var view = await incident.Get();
        Assert.Equal("first", view.Requests[0].RequestId);
        Assert.Single(view.Requests, r => r.RequestId == "first");
        Assert.Equal(RequestStatus.Cancelled, view.Requests[0].Status);
        Assert.Single(view.Timeline, e => e.Kind == TimelineKind.Cancelled && e.RequestId == "first");
    }

    [Theory]
    [InlineData(0, "more-og-romsdal")] // the cancel's intent is not stored: nothing changed, and a retry cancels
    [InlineData(1, "vest")] // its intent is stored, its outcome not: the next activation finishes the cancel
    public async Task A_sealed_request_whose_cancel_fails_to_store_is_shown_once_as_storage_holds_it(int storedWrites, string district)
    {
        District = district;
        await Register(frameworkAgreement: true);
        var incident = await Open();
        var id = incident.GetPrimaryKeyString();
        var first = await incident.RequestCapacity(Request("first"));
        await incident.Release([.. first.Assignments.Select(a => UnitKey.Of(a.CompanyId, a.UnitId))], Police, "done");
        for (var i = 1; i < RequestArchive.PageSize; i++)
        {
            Assert.Equal(RequestStatus.Filled, (await incident.RequestCapacity(Request($"r{i}"))).Status);
            await incident.CancelRequest($"r{i}", Police, null);
        }

        Assert.Equal(1, (await fixture.Stored<IncidentState>("incident", "incident", id)).ArchivePages);
        Assert.Equal(RequestStatus.Completed, (await incident.Get()).Requests[0].Status); // read from its page, and cached

        fixture.Faults.FailNextWrite("incident", id, skip: storedWrites);
        var error = await Assert.ThrowsAsync<CoordinationException>(() => incident.CancelRequest("first", Police, "paperwork"));
        Assert.Equal(ErrorKind.Unavailable, error.Code);

        IncidentView view = null!;
        if (storedWrites == 0)
        {
            // Storage holds the request as it was, in its page; so does what the incident shows.
            view = await incident.Get();
            Assert.Equal(RequestStatus.Completed, view.Requests.Single(r => r.RequestId == "first").Status);
            Assert.DoesNotContain(view.Timeline, e => e.Kind == TimelineKind.Cancelled && e.RequestId == "first");
            Assert.Equal(RequestStatus.Cancelled, (await incident.CancelRequest("first", Police, "paperwork")).Status);
        }

        // The cancel ends stored either way: by the retry, or by the activation that finds its intent.
        Assert.True(await Eventually.Holds(async () => (view = await incident.Get()).Requests.Single(r => r.RequestId == "first").Status == RequestStatus.Cancelled),
            $"the cancel was never finished: {view.Requests.First(r => r.RequestId == "first").Status}");
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        view = await incident.Get();
        Assert.Equal(RequestArchive.PageSize, view.Requests.Count);
        Assert.Single(view.Requests, r => r.RequestId == "first");
        Assert.Equal(RequestStatus.Cancelled, view.Requests.Single(r => r.RequestId == "first").Status);
        Assert.Single(view.Timeline, e => e.Kind == TimelineKind.Cancelled && e.RequestId == "first");
        Assert.Null((await fixture.Stored<IncidentState>("incident", "incident", id)).PendingRelease);
    }

    [Fact]
    public async Task An_answer_retried_after_its_request_was_sealed_in_a_page_gets_its_first_result()
    {
        District = "nordland";
        var (company, _) = await Register(frameworkAgreement: false);
        var incident = await Open();
        string? firstOffer = null;
        for (var i = 1; i <= RequestArchive.PageSize; i++)
        {
            var request = await incident.RequestCapacity(Request($"r{i}"));
            var offer = request.Offers.Single(o => o.Status == OfferStatus.Pending);
            firstOffer ??= offer.OfferId;
            var answered = await incident.AnswerOffer(offer.OfferId, new OfferAnswer($"answer-{i}", company, [offer.SuggestedUnits[0]], null));
            Assert.Equal(OfferStatus.Committed, answered.Status);
            await incident.CancelRequest($"r{i}", Police, null);
        }

        Assert.Equal(1, (await fixture.Stored<IncidentState>("incident", "incident", incident.GetPrimaryKeyString())).ArchivePages);
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        var retry = await incident.AnswerOffer(firstOffer!, new OfferAnswer("answer-1", company, [], null));
        Assert.Equal((OfferStatus.Committed, 2), (retry.Status, retry.ReleasedGuards));
        var late = await Assert.ThrowsAsync<CoordinationException>(() => incident.AnswerOffer(firstOffer!, new OfferAnswer("another", company, [], "too late")));
        Assert.Equal(ErrorKind.FailedPrecondition, late.Code);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CoordinationException>(() => incident.AnswerOffer($"{incident.GetPrimaryKeyString()}~999", new OfferAnswer("x", company, [], "no")))).Code);
    }

    private async Task<(string Company, string[] Units)> Register(bool frameworkAgreement)
    {
        var company = Ids.Company("archive");
        var units = new[] { "u1", "u2" };
        var at = ReferenceData.Current.DistrictsById[District].Position;
        var grain = Grains.GetGrain<ICompanyGrain>(company);
        await grain.RegisterUnits(null, [.. units.Select(u => new UnitRegistration(u, 2, [Capability], District, at))]);
        foreach (var unit in units)
        {
            await Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, unit)).ReportStatus(UnitStatus.Available, null);
        }

        if (frameworkAgreement)
        {
            await grain.SetFrameworkAgreement([Priority.Urgent]);
        }

        return (company, units);
    }

    private async Task<IIncidentGrain> Open()
    {
        var requestId = $"archive-{Guid.NewGuid():N}"[..20];
        var incident = Grains.GetGrain<IIncidentGrain>(IncidentIds.Of(District, requestId));
        await incident.Open(new OpenIncident(requestId, District, "Long crisis", ReferenceData.Current.DistrictsById[District].Position, Priority.Urgent, false, Police));
        return incident;
    }

    private RequestCapacity Request(string id) =>
        new(id, Capability, 2, ReferenceData.Current.DistrictsById[District].Position, _start, TimeSpan.FromHours(2), AllowPartial: false, AllowNeighbours: false, Police);
}
