using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Every refusal names the field at fault, and nothing of a refused batch is stored.</summary>
[Collection(NodeCollection.Name)]
public sealed class BadInputTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    public static TheoryData<string, string> BadBatches() => new()
    {
        { "unknown-district", "units[1].home_district" },
        { "unknown-capability", "units[1].capabilities[1]" },
        { "forbidden-capability", "units[1].capabilities[0]" },
        { "zero-headcount", "units[1].headcount" },
        { "negative-headcount", "units[1].headcount" },
        { "huge-headcount", "units[1].headcount" },
        { "empty-unit-id", "units[1].unit_id" },
        { "long-unit-id", "units[1].unit_id" },
        { "slash-in-unit-id", "units[1].unit_id" },
        { "duplicate-unit-id", "units[1].unit_id" },
        { "no-capabilities", "units[1].capabilities" },
        { "bad-latitude", "units[1].position.latitude" },
        { "empty-batch", "units" },
        { "over-the-limit", "units" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task A_bad_registration_is_invalid_argument_naming_the_field_and_stores_nothing(string @case, string field)
    {
        var company = Ids.Company();
        var good = Unit("good-1", 3, "oslo", "patrol");
        var bad = Unit("bad-1", 3, "oslo", "patrol");
        var units = new List<UnitRegistration> { good, bad };
        switch (@case)
        {
            case "unknown-district": bad.HomeDistrict = "gotham"; break;
            case "unknown-capability": bad.Capabilities.Add("juggling"); break;
            case "forbidden-capability": bad.Capabilities[0] = "arrest"; break;
            case "zero-headcount": bad.Headcount = 0; break;
            case "negative-headcount": bad.Headcount = -4; break;
            case "huge-headcount": bad.Headcount = 101; break;
            case "empty-unit-id": bad.UnitId = ""; break;
            case "long-unit-id": bad.UnitId = new string('x', 65); break;
            case "slash-in-unit-id": bad.UnitId = "a/b"; break;
            case "duplicate-unit-id": bad.UnitId = good.UnitId; break;
            case "no-capabilities": bad.Capabilities.Clear(); break;
            case "bad-latitude": bad.Position.Latitude = 91; break;
            case "empty-batch": units.Clear(); break;
            case "over-the-limit": units = [.. Enumerable.Range(0, 1001).Select(i => Unit($"u{i}"))]; break;
        }

        var before = await Node.Police.GetCapacityAsync(District("oslo"));
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.RegisterUnitsAsync(Register(company, [.. units])));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Field());
        Assert.Equal(field, error.Trailers.GetValue("field"));
        Assert.StartsWith(field, error.Status.Detail);
        Assert.Empty((await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units);
        Assert.Equal(before.RegisteredUnits, (await Node.Police.GetCapacityAsync(District("oslo"))).RegisteredUnits);
    }

    [Theory]
    [InlineData("a-company-id-that-is-far-too-long-to-be-accepted-by-the-gateway-x", "company_id")]
    [InlineData("spaces are not ids", "company_id")]
    public async Task A_bad_company_id_is_invalid_argument(string companyId, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.RegisterUnitsAsync(Register(companyId, Unit("u1"))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Field());
    }

    [Fact]
    public async Task An_unknown_district_in_a_capacity_query_is_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.GetCapacityAsync(District("gotham")));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("district_id", error.Field());
    }

    [Fact]
    public async Task A_capacity_query_without_scope_is_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.GetCapacityAsync(new GetCapacityRequest { DistrictId = "oslo" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("scope", error.Field());
    }

    [Fact]
    public async Task An_unknown_status_number_is_invalid_argument_and_changes_nothing()
    {
        var company = Ids.Company();
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1")));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.ReportUnitAsync(Report(company, "u1", (UnitStatus)42)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("status", error.Field());
        Assert.Equal(UnitStatus.Unavailable, (await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single().Status);
    }

    [Fact]
    public async Task A_licence_for_a_company_that_registered_nothing_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Node.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = Ids.Company(), Licence = LicenceStatus.Revoked }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task A_framework_agreement_for_a_company_that_registered_nothing_is_not_found_and_stores_nothing()
    {
        var company = Ids.Company();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.Urgent } }));
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1")));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Empty((await Node.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = company, Licence = LicenceStatus.Valid })).FrameworkAgreements);
    }

    /// <summary>What the wire allows in a google.protobuf.Timestamp but no time is: nanos outside a second, seconds outside 0001–9999.</summary>
    public static TheoryData<string> BadTimestamps() => ["negative-nanos", "a-whole-second-of-nanos", "before-year-1", "after-year-9999", "int64-max"];

    private static Timestamp BadTimestamp(string @case) => @case switch
    {
        "negative-nanos" => new Timestamp { Seconds = 1_700_000_000, Nanos = -1 },
        "a-whole-second-of-nanos" => new Timestamp { Seconds = 1_700_000_000, Nanos = 1_000_000_000 },
        "before-year-1" => new Timestamp { Seconds = -62_135_596_801 },
        "after-year-9999" => new Timestamp { Seconds = 253_402_300_800 },
        _ => new Timestamp { Seconds = long.MaxValue, Nanos = int.MaxValue },
    };

    [Theory]
    [MemberData(nameof(BadTimestamps))]
    public async Task A_timestamp_that_is_no_time_is_invalid_argument_naming_the_field_in_every_request(string @case)
    {
        var incident = $"oslo.ts-{Guid.NewGuid():N}"[..24];
        var request = Capacity(incident, "r1", "patrol", 1);
        request.Start = BadTimestamp(@case);
        var calls = new (string Field, Func<Task> Call)[]
        {
            ("start", () => Node.Police.RequestCapacityAsync(request).ResponseAsync),
            ("until", () => Node.Police.ExtendAssignmentAsync(new ExtendAssignmentRequest { IncidentId = incident, RequestId = "r1", Until = BadTimestamp(@case) }).ResponseAsync),
            ("from", () => Drain(Node.Police.ExportAudit(new ExportAuditRequest { From = BadTimestamp(@case) }))),
            ("to", () => Drain(Node.Police.ExportAudit(new ExportAuditRequest { To = BadTimestamp(@case) }))),
        };

        foreach (var (field, call) in calls)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);

            Assert.Equal((field, StatusCode.InvalidArgument), (field, error.StatusCode));
            Assert.Equal(field, error.Field());
            Assert.Equal(field, error.Trailers.GetValue("field"));
        }
    }

    [Fact]
    public async Task A_request_whose_window_would_end_after_year_9999_is_invalid_argument()
    {
        var incident = await Node.Police.OpenIncidentAsync(Incident("oslo", $"end-{Guid.NewGuid():N}"[..16]));
        var request = Capacity(incident.IncidentId, "r1", "patrol", 1);
        request.Start = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero));
        request.DurationMinutes = 2 * 24 * 60;

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.RequestCapacityAsync(request));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("duration_minutes", error.Field());
        Assert.Empty((await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId })).Requests);
    }

    [Fact]
    public async Task A_refusal_repeating_a_huge_value_is_cut_short_and_the_connection_carries_on()
    {
        var company = Ids.Company();
        var client = Node.CompanyAs(company);
        var huge = new string('x', 100_000);

        var denied = await Assert.ThrowsAsync<RpcException>(async () => await client.ListUnitsAsync(new ListUnitsRequest { CompanyId = huge }));
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await client.RegisterUnitsAsync(Register(company, Unit(huge))));
        var after = await client.ListUnitsAsync(new ListUnitsRequest());

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.InRange(denied.Status.Detail.Length, 1, 1001);
        Assert.Equal((StatusCode.InvalidArgument, "units[0].unit_id"), (invalid.StatusCode, invalid.Field()));
        Assert.Empty(after.Units);
    }

    private static async Task Drain<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }
    }
}
