using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>A bad report is refused with its field named and leaves nothing stored; a retry takes effect once.</summary>
[Collection(NodeCollection.Name)]
public sealed class ObservationInputTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    public static TheoryData<string, StatusCode, string?> Cases => new()
    {
        { "no position", StatusCode.InvalidArgument, "position" },
        { "a unit of another company", StatusCode.InvalidArgument, "unit_id" },
        { "a photo over the limit", StatusCode.InvalidArgument, "photos[0].data" },
        { "a photo whose bytes are not an image", StatusCode.InvalidArgument, "photos[0].data" },
        { "a photo whose type is not what its bytes are", StatusCode.InvalidArgument, "photos[0].content_type" },
        { "five photos", StatusCode.InvalidArgument, "photos" },
        { "an unknown bulletin", StatusCode.NotFound, null },
        { "an unknown incident", StatusCode.NotFound, null },
        { "an incident the company has no part in", StatusCode.NotFound, null },
        { "an unknown bulletin beside an incident", StatusCode.NotFound, null },
        { "an over-long text", StatusCode.InvalidArgument, "text" },
        { "no text", StatusCode.InvalidArgument, "text" },
        { "an unknown category", StatusCode.InvalidArgument, "category" },
        { "seen tomorrow", StatusCode.InvalidArgument, "seen_at" },
        { "a position at sea", StatusCode.InvalidArgument, "position" },
        { "a position abroad", StatusCode.InvalidArgument, "position" },
        { "a position on Svalbard", StatusCode.InvalidArgument, "position" },
        { "another company's id", StatusCode.PermissionDenied, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_report_is_refused_precisely_and_stores_nothing(string what, StatusCode status, string? field)
    {
        var company = Ids.Company("bad");
        var other = Ids.Company("else");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("b1", 2, "oslo", 59.91, 10.75, "patrol")));
        await Node.Company.RegisterUnitsAsync(Register(other, UnitAt("x1", 2, "oslo", 59.91, 10.75, "patrol")));
        var marker = $"marker-{Guid.NewGuid():N}";
        var photo = Jpeg();
        var request = Sighting("b1", 59.9139, 10.7522, $"{marker} seen by the station", photo);
        switch (what)
        {
            case "no position": request.Position = null; break;
            case "a unit of another company": request.UnitId = "x1"; break;
            case "a photo over the limit": request.Photos[0] = Photo(Jpeg((1024 * 1024) + 1)); break;
            case "a photo whose bytes are not an image": request.Photos[0] = Photo(System.Text.Encoding.UTF8.GetBytes($"%PDF-1.7 {marker}"), ""); break;
            case "a photo whose type is not what its bytes are": request.Photos[0] = Photo(photo, "image/png"); break;
            case "five photos": request.Photos.AddRange(Enumerable.Range(0, 4).Select(_ => Photo(Jpeg(1024)))); break;
            case "an unknown bulletin": request.AnswersBulletinId = "oslo.no-such-bulletin"; break;
            case "an unknown incident": request.IncidentId = "oslo.no-such-incident"; break;
            case "an incident the company has no part in": request.IncidentId = (await Node.Police.OpenIncidentAsync(Incident("oslo", $"other-{Guid.NewGuid():N}"[..16]))).IncidentId; break;
            case "an unknown bulletin beside an incident":
                request.AnswersBulletinId = "oslo.no-such-bulletin";
                request.IncidentId = (await Node.Police.OpenIncidentAsync(Incident("oslo", $"other-{Guid.NewGuid():N}"[..16]))).IncidentId;
                break;
            case "an over-long text": request.Text = new string('x', 4001); break;
            case "no text": request.Text = " "; break;
            case "an unknown category": request.Category = "alien-landing"; break;
            case "seen tomorrow": request.SeenAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1)); break;
            case "a position at sea": request.Position = new GeoPoint { Latitude = 58.5, Longitude = 3.0 }; break;
            case "a position abroad": request.Position = new GeoPoint { Latitude = 59.3793, Longitude = 13.5036 }; break;
            case "a position on Svalbard": request.Position = new GeoPoint { Latitude = 78.2232, Longitude = 15.6267 }; break;
            case "another company's id": request.CompanyId = other; break;
        }

        var client = Node.Observations(Node.Tokens.Company(company));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.ReportObservationAsync(request).ResponseAsync);
        Assert.Equal(status, error.StatusCode);
        if (field is not null)
        {
            Assert.Equal(field, error.Field());
        }

        var read = await Assert.ThrowsAsync<RpcException>(() => client.GetObservationAsync(new GetObservationRequest { ObservationId = $"{company}/{request.ObservationId}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var stored = new StoredRows(Node.DataDirectory);
        Assert.False(stored.GrainStateContains(marker), "the refused report's text was stored");
        Assert.False(stored.GrainStateContains(photo.AsSpan(0, 4096)), "the refused report's photo was stored");
    }

    [Fact]
    public async Task A_retry_returns_the_first_result_and_the_same_id_with_other_content_is_refused()
    {
        var company = Ids.Company("retry");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("r1", 2, "oslo", 59.91, 10.75, "patrol")));
        var client = Node.Observations(Node.Tokens.Company(company));
        var request = Sighting("r1", 59.9139, 10.7522, null, Jpeg());
        var first = await client.ReportObservationAsync(request);
        var again = await client.ReportObservationAsync(request);
        Assert.Equal((first.Observation.ReportedAt, first.Observation.Version), (again.Observation.ReportedAt, again.Observation.Version));

        request.Text = "Something else entirely";
        var clash = await Assert.ThrowsAsync<RpcException>(() => client.ReportObservationAsync(request).ResponseAsync);
        Assert.Equal((StatusCode.AlreadyExists, "observation_id"), (clash.StatusCode, clash.Field()));
    }

    [Fact]
    public async Task Opening_an_incident_from_an_observation_under_a_request_id_already_used_is_refused_and_links_nothing()
    {
        var company = Ids.Company("taken");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("t1", 2, "oslo", 59.91, 10.75, "patrol")));
        var id = (await Node.Observations(Node.Tokens.Company(company)).ReportObservationAsync(Sighting("t1", 59.9139, 10.7522))).Observation.Id;
        var requestId = $"taken-{Guid.NewGuid():N}"[..18];
        await Node.PoliceWith(Node.Tokens.Police("oslo")).OpenIncidentAsync(Incident("oslo", requestId));
        var police = Node.Observations(Node.Tokens.Police("oslo"));

        var open = new OpenIncidentFromObservation { DistrictId = "oslo", RequestId = requestId, Title = "Fire", Priority = Priority.High };
        var taken = await Assert.ThrowsAsync<RpcException>(() => police.AttachObservationAsync(new AttachObservationRequest { ObservationId = id, OpenIncident = open }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "open_incident.request_id"), (taken.StatusCode, taken.Field()));
        open.DistrictId = "ost";
        open.RequestId = $"fresh-{Guid.NewGuid():N}"[..18];
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => police.AttachObservationAsync(new AttachObservationRequest { ObservationId = id, OpenIncident = open }).ResponseAsync);
        Assert.Equal((StatusCode.FailedPrecondition, "open_incident.district_id"), (elsewhere.StatusCode, elsewhere.Field()));
        var after = await police.GetObservationAsync(new GetObservationRequest { ObservationId = id });
        Assert.Equal(("", 1L), (after.IncidentId, after.Version));
    }

    [Fact]
    public async Task A_bulletin_not_addressed_to_the_company_cannot_be_answered()
    {
        var company = Ids.Company("unaddressed");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 2, "oslo", 59.91, 10.75, "patrol")));
        var bulletins = new BulletinService.BulletinServiceClient(Node.Channel.Intercept(TestTokens.Bearer(Node.Tokens.Police("oslo"))));
        var bulletin = BulletinBuilders.WantedVehicle($"{Guid.NewGuid():N}"[..12], Tlp.Amber, centre: BulletinBuilders.Tromso);
        var issued = await bulletins.IssueBulletinAsync(bulletin);
        var request = Sighting("u1", 59.9139, 10.7522);
        request.AnswersBulletinId = issued.Id;
        var error = await Assert.ThrowsAsync<RpcException>(() => Node.Observations(Node.Tokens.Company(company)).ReportObservationAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Triage_refuses_an_unknown_stage_and_an_over_long_message_naming_the_field()
    {
        var company = Ids.Company("tri");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("t1", 2, "oslo", 59.91, 10.75, "patrol")));
        var id = (await Node.Observations(Node.Tokens.Company(company)).ReportObservationAsync(Sighting("t1", 59.9139, 10.7522))).Observation.Id;
        var police = Node.Observations(Node.Tokens.Police("oslo"));
        var stage = await Assert.ThrowsAsync<RpcException>(() => police.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.New }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "stage"), (stage.StatusCode, stage.Field()));
        var message = await Assert.ThrowsAsync<RpcException>(() => police.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.Seen, Message = new string('m', 1001) }).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "message"), (message.StatusCode, message.Field()));
        var unknown = await Assert.ThrowsAsync<RpcException>(() => police.TriageObservationAsync(new TriageObservationRequest { ObservationId = $"{company}/nope", Stage = ObservationStage.Seen }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(ObservationStage.New, (await police.GetObservationAsync(new GetObservationRequest { ObservationId = id })).Stage);
    }
}
