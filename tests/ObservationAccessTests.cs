using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>
/// An observation, and above all its photo, is read by the police of the district it was routed to
/// and by the company that reported it (not its photo) — by nobody else, whatever they ask for.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ObservationAccessTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    public static TheoryData<string> Outsiders => ["police of another district", "another company", "viewer of the district", "national viewer", "operator"];

    [Theory]
    [MemberData(nameof(Outsiders))]
    public async Task Nobody_else_reads_the_observation_its_photo_or_its_districts_queue(string who)
    {
        var (id, _) = await Reported();
        var client = Node.Observations(Token(who));

        var read = await Assert.ThrowsAsync<RpcException>(() => client.GetObservationAsync(new GetObservationRequest { ObservationId = id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
        var photo = await Assert.ThrowsAsync<RpcException>(() => client.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, photo.StatusCode);
        var list = await Assert.ThrowsAsync<RpcException>(() => client.ListObservationsAsync(new ListObservationsRequest { DistrictId = "vest" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        using var stream = client.WatchObservationQueue(new WatchObservationQueueRequest { DistrictId = "vest" });
        var watch = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, watch.StatusCode);
        var triage = await Assert.ThrowsAsync<RpcException>(() => client.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.Seen }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, triage.StatusCode);
    }

    [Fact]
    public async Task The_district_police_read_all_of_it_and_the_reporting_company_reads_its_observation_but_not_the_photo_back()
    {
        var (id, company) = await Reported();
        var police = Node.Observations(Node.Tokens.Police("vest"));
        Assert.Equal(id, (await police.GetObservationAsync(new GetObservationRequest { ObservationId = id })).Id);
        Assert.NotEmpty((await police.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = id })).Data);
        Assert.Contains(id, (await police.ListObservationsAsync(new ListObservationsRequest { DistrictId = "vest" })).Observations.Select(o => o.Id));
        var national = Node.Observations(Node.Tokens.NationalPolice());
        Assert.NotEmpty((await national.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = id })).Data);

        var own = Node.Observations(Node.Tokens.Company(company));
        Assert.Equal("vest", (await own.GetObservationAsync(new GetObservationRequest { ObservationId = id })).DistrictId);
        var photo = await Assert.ThrowsAsync<RpcException>(() => own.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = id }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, photo.StatusCode);
        var triage = await Assert.ThrowsAsync<RpcException>(() => own.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.Dismissed }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, triage.StatusCode);
    }

    private string Token(string who) => who switch
    {
        "police of another district" => Node.Tokens.Police("oslo"),
        "another company" => Node.Tokens.Company(Ids.Company("other")),
        "viewer of the district" => Node.Tokens.Viewer("vest"),
        "national viewer" => Node.Tokens.Viewer(),
        "operator" => Node.Tokens.Operator(),
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, null),
    };

    /// <summary>An observation with a photo, reported in Bergen (district vest).</summary>
    private async Task<(string Id, string Company)> Reported()
    {
        var company = Ids.Company("acc");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("a1", 2, "vest", 60.3913, 5.3221, "patrol")));
        var reported = await Node.Observations(Node.Tokens.Company(company)).ReportObservationAsync(Sighting("a1", 60.3930, 5.3240, null, Jpeg()));
        Assert.Equal("vest", reported.Observation.DistrictId);
        return (reported.Observation.Id, company);
    }
}
