using Coordination.Api.V1;
using Grpc.Core;

namespace Coordination.Tests.Infrastructure;

internal static class ApiBuilders
{
    public static UnitRegistration Unit(string id, int headcount = 2, string district = "oslo", params string[] capabilities) => new()
    {
        UnitId = id,
        Headcount = headcount,
        HomeDistrict = district,
        Capabilities = { capabilities.Length == 0 ? ["patrol", "access-control"] : capabilities },
        Position = new GeoPoint { Latitude = 59.91, Longitude = 10.75 },
    };

    public static RegisterUnitsRequest Register(string company, params UnitRegistration[] units) => new()
    {
        CompanyId = company,
        CompanyName = $"Company {company}",
        Units = { units },
    };

    public static UnitReport Report(string company, string unit, UnitStatus status) =>
        new() { CompanyId = company, UnitId = unit, Status = status };

    public static UnitRegistration UnitAt(string id, int headcount, string district, double latitude, double longitude, params string[] capabilities)
    {
        var unit = Unit(id, headcount, district, capabilities);
        unit.Position = new GeoPoint { Latitude = latitude, Longitude = longitude };
        return unit;
    }

    public static OpenIncidentRequest Incident(string district, string requestId, Priority priority = Priority.High, bool exercise = false) => new()
    {
        DistrictId = district,
        RequestId = requestId,
        Title = "Evacuation of the central station after a fire alarm",
        Location = new GeoPoint { Latitude = 59.9111, Longitude = 10.7528 },
        Priority = priority,
        Exercise = exercise,
    };

    /// <summary>A request at Oslo S unless another place is given.</summary>
    public static RequestCapacityRequest Capacity(string incidentId, string requestId, string capability, int guards, bool allowPartial = true, bool allowNeighbours = false, GeoPoint? at = null) => new()
    {
        IncidentId = incidentId,
        RequestId = requestId,
        Capability = capability,
        Guards = guards,
        Location = at ?? new GeoPoint { Latitude = 59.9111, Longitude = 10.7528 },
        Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        DurationMinutes = 360,
        AllowPartial = allowPartial,
        AllowNeighbours = allowNeighbours,
    };

    public static GetCapacityRequest District(string district) => new() { Scope = CapacityScope.District, DistrictId = district };

    public static GetCapacityRequest National() => new() { Scope = CapacityScope.National };

    public static CapabilityCapacity For(this CapacityReport report, string capability) =>
        report.ByCapability.Single(c => c.Capability == capability);

    /// <summary>The field an INVALID_ARGUMENT names, read from the google.rpc.BadRequest detail.</summary>
    public static string? Field(this RpcException error) =>
        error.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.SingleOrDefault()?.Field;
}
