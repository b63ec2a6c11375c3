namespace Coordination.Domain;

public enum UnitStatus
{
    Available = 1,
    Unavailable = 2,
    Committed = 3,
    EnRoute = 4,
    OnScene = 5,
    OutOfService = 6,
}

public enum LicenceStatus
{
    Valid = 1,
    Suspended = 2,
    Revoked = 3,
}

[GenerateSerializer, Immutable, Alias("coordination.GeoPoint")]
public readonly record struct GeoPoint([property: Id(0)] double Latitude, [property: Id(1)] double Longitude);

/// <summary>What a company says about one of its units when it registers or updates it.</summary>
[GenerateSerializer, Alias("coordination.UnitRegistration")]
public sealed record UnitRegistration(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Headcount,
    [property: Id(2)] string[] Capabilities,
    [property: Id(3)] string HomeDistrict,
    [property: Id(4)] GeoPoint? Position);

/// <summary>The unit as a company control room or an operator sees it.</summary>
[GenerateSerializer, Alias("coordination.UnitView")]
public sealed record UnitView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Headcount,
    [property: Id(3)] string[] Capabilities,
    [property: Id(4)] string HomeDistrict,
    [property: Id(5)] UnitStatus Status,
    [property: Id(6)] GeoPoint? Position,
    [property: Id(7)] DateTimeOffset LastHeartbeat,
    [property: Id(8)] DateTimeOffset StatusChangedAt,
    [property: Id(9)] bool Stale,
    [property: Id(10)] bool CountedAvailable,
    [property: Id(11)] string? IncidentId,
    [property: Id(12)] bool OnExercise = false,
    [property: Id(13)] bool OnYieldingExercise = false);

/// <summary>
/// What one unit adds to its home district's figures. Units push a new one whenever what they add
/// changes (status, staleness, licence, registration); the district keeps the latest by version,
/// so a late or repeated push cannot corrupt the totals.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.UnitContribution")]
public sealed record UnitContribution(
    [property: Id(0)] string UnitKey,
    [property: Id(1)] long Version,
    [property: Id(2)] UnitStatus Status,
    [property: Id(3)] int Headcount,
    [property: Id(4)] string[] Capabilities,
    [property: Id(5)] bool CountedAvailable,
    [property: Id(6)] bool Stale,
    [property: Id(7)] bool Withdrawn,
    [property: Id(8)] GeoPoint? Position = null,
    [property: Id(9)] bool OnYieldingExercise = false);

/// <summary>A status report's result: the unit as it now is, and whether this report changed its status.</summary>
[GenerateSerializer, Immutable, Alias("coordination.StatusReportOutcome")]
public sealed record StatusReportOutcome([property: Id(0)] UnitView Unit, [property: Id(1)] bool Changed);

[GenerateSerializer, Immutable, Alias("coordination.RegistrationOutcome")]
public sealed record RegistrationOutcome([property: Id(0)] int Created, [property: Id(1)] int Updated);

/// <summary>Grain keys of units: one grain per (company, unit). '/' cannot occur in either id (see <see cref="Validate"/>).</summary>
public static class UnitKey
{
    public static string Of(string companyId, string unitId) => $"{companyId}/{unitId}";

    public static (string CompanyId, string UnitId) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The company part of a key, without allocating: for comparing many keys.</summary>
    public static ReadOnlySpan<char> CompanyOf(string key) => key.AsSpan(0, key.IndexOf('/'));
}
