using Coordination.Api.V1;
using ReferenceData = Coordination.Domain.ReferenceData;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Lawful tasks only, precise refusals, and refusals that change nothing.</summary>
[Collection(IncidentNodeCollection.Name)]
public sealed class IncidentRulesTests(IncidentNodeFixture fixture)
{
    private static readonly GeoPoint Tromso = new() { Latitude = 69.6492, Longitude = 18.9553 };

    private RunningNode Node => fixture.Node;

    public static TheoryData<string> ForbiddenTasks() => [.. ReferenceData.Current.ForbiddenTasks.Select(f => f.Id)];

    public static TheoryData<string> LawfulTasks() => [.. ReferenceData.Current.Capabilities.Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(ForbiddenTasks))]
    public async Task A_task_guards_may_not_do_is_refused_with_the_reason(string task)
    {
        var incident = await Open("forbidden");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(Capacity(incident, $"r-{task}", task, 2)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("capability", error.Field());
        Assert.Contains("not a lawful task for guards", error.Status.Detail);
        Assert.Contains(ReferenceData.Current.ForbiddenById[task].Reason, error.Status.Detail);
        Assert.Empty((await Get(incident)).Requests);
    }

    [Theory]
    [MemberData(nameof(LawfulTasks))]
    public async Task Every_lawful_task_can_be_requested(string task)
    {
        var incident = await Open("lawful");

        var request = await Node.Police.RequestCapacityAsync(Capacity(incident, $"r-{task}", task, 2, at: Tromso));

        Assert.Equal(task, request.Capability);
        Assert.Contains(request.Status, new[] { RequestStatus.Seeking, RequestStatus.UnableToFill, RequestStatus.Filled });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(1001)]
    public async Task A_quantity_out_of_range_is_invalid_argument_and_adds_no_request(int guards)
    {
        var incident = await Open("quantity");

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "patrol", guards)));

        Assert.Equal((StatusCode.InvalidArgument, "guards"), (error.StatusCode, error.Field()));
        Assert.Empty((await Get(incident)).Requests);
    }

    [Fact]
    public async Task An_unknown_incident_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(Capacity("oslo.never-opened", "r1", "patrol", 2)));
        var get = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = "oslo.never-opened" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task A_closed_incident_takes_no_more_requests()
    {
        var incident = await Open("closed");
        var closed = await Node.Police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incident, Reason = "all clear" });

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "patrol", 2)));

        Assert.Equal(IncidentStatus.Closed, closed.Status);
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Empty((await Get(incident)).Requests);
        var listed = await Node.Police.ListIncidentsAsync(new ListIncidentsRequest { DistrictId = "troms", IncludeClosed = true });
        Assert.Contains(listed.Incidents, i => i.IncidentId == incident && i.Status == IncidentStatus.Closed);
        Assert.DoesNotContain((await Node.Police.ListIncidentsAsync(new ListIncidentsRequest { DistrictId = "troms" })).Incidents, i => i.IncidentId == incident);
    }

    [Fact]
    public async Task A_retried_open_or_request_with_the_same_id_takes_effect_once()
    {
        var requestId = $"retry-{Guid.NewGuid():N}"[..16];
        var first = await Node.Police.OpenIncidentAsync(Incident("troms", requestId));
        var again = await Node.Police.OpenIncidentAsync(Incident("troms", requestId));
        var request = Capacity(first.IncidentId, "r1", "escort", 2, at: Tromso);
        await Node.Police.RequestCapacityAsync(request);
        await Node.Police.RequestCapacityAsync(request);
        var changed = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(new RequestCapacityRequest(request) { Guards = 5 }));

        Assert.Equal(first.IncidentId, again.IncidentId);
        Assert.Single((await Get(first.IncidentId)).Requests);
        Assert.Single((await Get(first.IncidentId)).Timeline, e => e.Kind == TimelineKind.Opened);
        Assert.Equal((StatusCode.AlreadyExists, "request_id"), (changed.StatusCode, changed.Field()));
    }

    [Fact]
    public async Task Answers_that_cannot_be_honoured_are_refused_precisely_and_change_nothing()
    {
        // Two hand-answering companies in Troms; "holder" also has a unit already committed elsewhere.
        var a = Ids.Company("ans-a");
        var b = Ids.Company("ans-b");
        await Node.Company.RegisterUnitsAsync(Register(a, UnitAt("a1", 2, "troms", 69.65, 18.96, "cctv-monitoring"), UnitAt("a2", 2, "troms", 69.70, 19.00, "cctv-monitoring")));
        await Node.Company.RegisterUnitsAsync(Register(b, UnitAt("b1", 2, "troms", 69.66, 18.97, "cctv-monitoring")));
        foreach (var (company, unit) in new[] { (a, "a1"), (a, "a2"), (b, "b1") })
        {
            await Node.Company.ReportUnitAsync(Report(company, unit, UnitStatus.Available));
        }

        var incident = await Open("answers");
        var request = await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "cctv-monitoring", 2, at: new GeoPoint { Latitude = 69.65, Longitude = 18.96 }));
        var offer = request.Offers.Single();
        Assert.Equal(a, offer.CompanyId);

        // Company B answering A's offer.
        var foreign = await Answer(b, offer.OfferId, "x1", "b1");
        // Company A naming a unit it does not have (B's unit id).
        var notOurs = await Answer(a, offer.OfferId, "x2", "b1");
        // Company A naming its unit that is no longer available.
        await Node.Company.ReportUnitAsync(Report(a, "a2", UnitStatus.OutOfService));
        var unavailable = await Answer(a, offer.OfferId, "x3", "a2");
        // More guards than offered.
        await Node.Company.ReportUnitAsync(Report(a, "a2", UnitStatus.Available));
        var tooMany = await Answer(a, offer.OfferId, "x4", "a1", "a2");

        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);
        Assert.Equal(StatusCode.NotFound, notOurs.StatusCode);
        Assert.Equal((StatusCode.FailedPrecondition, "unit_ids[0]"), (unavailable.StatusCode, unavailable.Field()));
        Assert.Equal(StatusCode.FailedPrecondition, tooMany.StatusCode);

        var unchanged = (await Get(incident)).Requests.Single();
        Assert.Equal(OfferStatus.Pending, unchanged.Offers.Single().Status);
        Assert.Empty(unchanged.Assignments);
        Assert.All((await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = a })).Units, u => Assert.Equal(UnitStatus.Available, u.Status));

        // The right answer still works, and a retry of it returns the same result.
        var committed = await Node.Company.AnswerOfferAsync(Commit(a, offer.OfferId, "ok", "a1"));
        var retried = await Node.Company.AnswerOfferAsync(Commit(a, offer.OfferId, "ok", "a1"));
        var secondAnswer = await Answer(a, offer.OfferId, "other", "a2");
        Assert.Equal((OfferStatus.Committed, 2), (committed.Status, committed.CommittedGuards));
        Assert.Equal(committed, retried);
        Assert.Equal(StatusCode.FailedPrecondition, secondAnswer.StatusCode);
        Assert.Equal(2, (await Get(incident)).Requests.Single().CommittedGuards);
    }

    [Fact]
    public async Task Cancelling_a_request_withdraws_its_offers_and_extending_moves_its_end()
    {
        var company = Ids.Company("cancel");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 3, "troms", 69.65, 18.96, "patrol")));
        await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        var incident = await Open("cancel");
        var request = await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "patrol", 3, at: Tromso));
        var until = request.End.ToDateTimeOffset().AddHours(2);

        var extended = await Node.Police.ExtendAssignmentAsync(new ExtendAssignmentRequest { IncidentId = incident, RequestId = "r1", Until = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(until) });
        var shortened = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.ExtendAssignmentAsync(new ExtendAssignmentRequest
        {
            IncidentId = incident, RequestId = "r1", Until = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(until.AddHours(-5)),
        }));
        var cancelled = await Node.Police.CancelRequestAsync(new CancelRequestRequest { IncidentId = incident, RequestId = "r1", Reason = "no longer needed" });
        var late = await Answer(company, request.Offers.Single().OfferId, "late", "u1");

        Assert.Equal(until, extended.End.ToDateTimeOffset());
        Assert.Equal((StatusCode.InvalidArgument, "until"), (shortened.StatusCode, shortened.Field()));
        Assert.Equal(RequestStatus.Cancelled, cancelled.Status);
        Assert.Equal(OfferStatus.Withdrawn, cancelled.Offers.Single().Status);
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("withdrawn", late.Status.Detail);
    }

    private async Task<string> Open(string name) =>
        (await Node.Police.OpenIncidentAsync(Incident("troms", $"{name}-{Guid.NewGuid():N}"[..20]))).IncidentId;

    private async Task<Incident> Get(string incident) =>
        await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident });

    private static AnswerOfferRequest Commit(string company, string offerId, string answerId, params string[] units) =>
        new() { CompanyId = company, OfferId = offerId, AnswerId = answerId, Commit = new CommitUnits { UnitIds = { units } } };

    private async Task<RpcException> Answer(string company, string offerId, string answerId, params string[] units) =>
        await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.AnswerOfferAsync(Commit(company, offerId, answerId, units)));
}
