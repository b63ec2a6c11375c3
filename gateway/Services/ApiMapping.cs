using Coordination.Domain;
using Google.Protobuf.WellKnownTypes;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Proto ↔ domain. Proto defaults (0, "", unset) are turned into explicit domain meaning here and nowhere else.</summary>
internal static class ApiMapping
{
    public static GeoPoint? ToDomain(this Proto.GeoPoint? point) => point is null ? null : new GeoPoint(point.Latitude, point.Longitude);

    public static Proto.GeoPoint? ToApi(this GeoPoint? point) => point is { } p ? new Proto.GeoPoint { Latitude = p.Latitude, Longitude = p.Longitude } : null;

    public static UnitRegistration ToDomain(this Proto.UnitRegistration unit) =>
        new(unit.UnitId, unit.Headcount, [.. unit.Capabilities], unit.HomeDistrict, unit.Position.ToDomain());

    /// <summary>UNSPECIFIED means "no status in this report" (a heartbeat); an unknown number is a client error.</summary>
    public static UnitStatus? ToDomain(this Proto.UnitStatus status, string field) => status switch
    {
        Proto.UnitStatus.Unspecified => null,
        Proto.UnitStatus.Available => UnitStatus.Available,
        Proto.UnitStatus.Unavailable => UnitStatus.Unavailable,
        Proto.UnitStatus.Committed => UnitStatus.Committed,
        Proto.UnitStatus.EnRoute => UnitStatus.EnRoute,
        Proto.UnitStatus.OnScene => UnitStatus.OnScene,
        Proto.UnitStatus.OutOfService => UnitStatus.OutOfService,
        _ => throw CoordinationException.Invalid(field, $"{(int)status} is not a unit status"),
    };

    public static Proto.UnitStatus ToApi(this UnitStatus status) => status switch
    {
        UnitStatus.Available => Proto.UnitStatus.Available,
        UnitStatus.Unavailable => Proto.UnitStatus.Unavailable,
        UnitStatus.Committed => Proto.UnitStatus.Committed,
        UnitStatus.EnRoute => Proto.UnitStatus.EnRoute,
        UnitStatus.OnScene => Proto.UnitStatus.OnScene,
        UnitStatus.OutOfService => Proto.UnitStatus.OutOfService,
        _ => Proto.UnitStatus.Unspecified,
    };

    public static LicenceStatus ToDomain(this Proto.LicenceStatus licence, string field) => licence switch
    {
        Proto.LicenceStatus.Valid => LicenceStatus.Valid,
        Proto.LicenceStatus.Suspended => LicenceStatus.Suspended,
        Proto.LicenceStatus.Revoked => LicenceStatus.Revoked,
        _ => throw CoordinationException.Invalid(field, "must be VALID, SUSPENDED or REVOKED"),
    };

    public static Proto.LicenceStatus ToApi(this LicenceStatus licence) => licence switch
    {
        LicenceStatus.Valid => Proto.LicenceStatus.Valid,
        LicenceStatus.Suspended => Proto.LicenceStatus.Suspended,
        LicenceStatus.Revoked => Proto.LicenceStatus.Revoked,
        _ => Proto.LicenceStatus.Unspecified,
    };

    public static Proto.Unit ToApi(this UnitView unit)
    {
        var result = new Proto.Unit
        {
            CompanyId = unit.CompanyId,
            UnitId = unit.UnitId,
            Headcount = unit.Headcount,
            Capabilities = { unit.Capabilities },
            HomeDistrict = unit.HomeDistrict,
            Status = unit.Status.ToApi(),
            Position = unit.Position.ToApi(),
            LastHeartbeat = Timestamp.FromDateTimeOffset(unit.LastHeartbeat),
            StatusChangedAt = Timestamp.FromDateTimeOffset(unit.StatusChangedAt),
            Stale = unit.Stale,
            CountedAvailable = unit.CountedAvailable,
            IncidentId = unit.IncidentId ?? "",
        };
        return result;
    }

    public static Proto.Company ToApi(this CompanyView company) => new()
    {
        CompanyId = company.CompanyId,
        Name = company.Name ?? "",
        Licence = company.Licence.ToApi(),
        LicenceReason = company.LicenceReason ?? "",
        Units = company.Units,
    };

    public static Proto.CapacityReport ToApi(this CapacityFigures figures, Proto.CapacityScope scope) => new()
    {
        Scope = scope,
        Districts = { figures.Districts },
        ByCapability = { figures.ByCapability.Select(c => new Proto.CapabilityCapacity { Capability = c.Capability, AvailableUnits = c.AvailableUnits, AvailableGuards = c.AvailableGuards }) },
        ByStatus = { figures.ByStatus.Select(s => new Proto.StatusCount { Status = s.Status.ToApi(), Units = s.Units, Guards = s.Guards }) },
        AvailableUnits = figures.AvailableUnits,
        AvailableGuards = figures.AvailableGuards,
        RegisteredUnits = figures.RegisteredUnits,
        StaleUnits = figures.StaleUnits,
        AsOf = Timestamp.FromDateTimeOffset(figures.AsOf),
    };

    public static Proto.District ToApi(this District district) => new()
    {
        Id = district.Id,
        Name = district.Name,
        Headquarters = district.Headquarters,
        Position = new Proto.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
        Neighbours = { district.Neighbours },
        ProtectedReserveGuards = district.ProtectedReserveGuards,
    };
}
