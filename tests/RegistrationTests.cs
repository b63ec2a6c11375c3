using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>The company API over a real gRPC channel against the single-node system.</summary>
[Collection(NodeCollection.Name)]
public sealed class RegistrationTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Registered_units_are_listed_and_a_second_registration_updates_them()
    {
        var company = Ids.Company();

        var first = await Node.Company.RegisterUnitsAsync(Register(company, Unit("alpha", 2), Unit("bravo", 3, "vest", "static-guarding")));
        var second = await Node.Company.RegisterUnitsAsync(Register(company, Unit("bravo", 4, "vest", "static-guarding", "first-aid"), Unit("charlie")));
        var listed = await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });

        Assert.Equal((2, 0), (first.Created, first.Updated));
        Assert.Equal((1, 1), (second.Created, second.Updated));
        Assert.Equal(["alpha", "bravo", "charlie"], listed.Units.Select(u => u.UnitId));
        var bravo = listed.Units.Single(u => u.UnitId == "bravo");
        Assert.Equal(4, bravo.Headcount);
        Assert.Equal(["first-aid", "static-guarding"], bravo.Capabilities);
        Assert.Equal("vest", bravo.HomeDistrict);
        Assert.All(listed.Units, u => Assert.Equal(UnitStatus.Unavailable, u.Status));
    }

    [Fact]
    public async Task A_request_without_company_id_acts_for_the_company_in_the_token()
    {
        var company = Ids.Company();

        await Node.CompanyAs(company).RegisterUnitsAsync(Register("", Unit("u1")));
        var listed = await Node.CompanyAs(company).ListUnitsAsync(new ListUnitsRequest());

        Assert.Equal((company, "u1"), (listed.Units.Single().CompanyId, listed.Units.Single().UnitId));
    }

    [Fact]
    public async Task A_unit_counts_in_its_district_and_the_country_only_while_available()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1", 5, "finnmark", "dog-handler")));
        var before = await Node.Police.GetCapacityAsync(District("finnmark"));
        var nationalBefore = await Node.Police.GetCapacityAsync(National());

        var ack = await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        var during = await Node.Police.GetCapacityAsync(District("finnmark"));
        Assert.True(ack.Durable);
        Assert.True(ack.Unit.CountedAvailable);
        Assert.Equal(before.For("dog-handler").AvailableGuards + 5, during.For("dog-handler").AvailableGuards);
        Assert.Equal(before.For("dog-handler").AvailableUnits + 1, during.For("dog-handler").AvailableUnits);
        Assert.True(await Eventually.Holds(async () =>
            (await Node.Police.GetCapacityAsync(National())).For("dog-handler").AvailableGuards == nationalBefore.For("dog-handler").AvailableGuards + 5));

        await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.OutOfService));
        var after = await Node.Police.GetCapacityAsync(District("finnmark"));
        Assert.Equal(before.For("dog-handler").AvailableGuards, after.For("dog-handler").AvailableGuards);
        Assert.Equal(
            before.ByStatus.Single(s => s.Status == UnitStatus.OutOfService).Units + 1,
            after.ByStatus.Single(s => s.Status == UnitStatus.OutOfService).Units);
    }

    [Fact]
    public async Task A_district_with_its_neighbours_sums_exactly_those_districts()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("troms-1", 3, "troms", "escort"), Unit("nordland-1", 2, "nordland", "escort"), Unit("oslo-1", 7, "oslo", "escort")));
        var before = await Node.Police.GetCapacityAsync(new GetCapacityRequest { Scope = CapacityScope.DistrictAndNeighbours, DistrictId = "troms" });
        foreach (var unit in new[] { "troms-1", "nordland-1", "oslo-1" })
        {
            await Node.Company.ReportUnitAsync(Report(company, unit, UnitStatus.Available));
        }

        var after = await Node.Police.GetCapacityAsync(new GetCapacityRequest { Scope = CapacityScope.DistrictAndNeighbours, DistrictId = "troms" });

        Assert.Equal(["finnmark", "nordland", "troms"], after.Districts.Order());
        Assert.Equal(before.For("escort").AvailableGuards + 5, after.For("escort").AvailableGuards);
    }

    [Fact]
    public async Task A_suspended_company_offers_no_capacity_until_its_licence_is_valid_again()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1", 4, "agder", "cctv-monitoring")));
        await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        var licensed = await Node.Police.GetCapacityAsync(District("agder"));

        var suspended = await Node.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = company, Licence = LicenceStatus.Suspended, Reason = "audit" });
        var whileSuspended = await Node.Police.GetCapacityAsync(District("agder"));
        await Node.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = company, Licence = LicenceStatus.Valid });
        var reinstated = await Node.Police.GetCapacityAsync(District("agder"));

        Assert.Equal(LicenceStatus.Suspended, suspended.Licence);
        Assert.Equal(licensed.For("cctv-monitoring").AvailableGuards - 4, whileSuspended.For("cctv-monitoring").AvailableGuards);
        Assert.Equal(licensed.For("cctv-monitoring").AvailableGuards, reinstated.For("cctv-monitoring").AvailableGuards);
    }

    [Fact]
    public async Task A_refused_status_change_is_failed_precondition_and_changes_nothing()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1")));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.OnScene)));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        var unit = (await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single();
        Assert.Equal(UnitStatus.Unavailable, unit.Status);
    }

    [Fact]
    public async Task Reporting_on_an_unknown_unit_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.ReportUnitAsync(Report(Ids.Company(), "nobody", UnitStatus.Available)));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task A_heartbeat_without_status_keeps_the_status_and_moves_the_position()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1")));
        await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));

        var ack = await Node.Company.ReportUnitAsync(new UnitReport { CompanyId = company, UnitId = "u1", Position = new GeoPoint { Latitude = 60.39, Longitude = 5.32 } });

        Assert.False(ack.Durable);
        Assert.Equal(UnitStatus.Available, ack.Unit.Status);
        Assert.Equal(60.39, ack.Unit.Position.Latitude);
    }

    [Fact]
    public async Task The_standard_health_service_answers_serving()
    {
        var health = new Grpc.Health.V1.Health.HealthClient(Node.Channel);

        var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Server_reflection_lists_the_public_services()
    {
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(Node.Channel.Intercept(TestTokens.Bearer(Node.Tokens.Viewer())));
        using var call = reflection.ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("coordination.v1.CompanyService", services);
        Assert.Contains("coordination.v1.PoliceService", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }
}
