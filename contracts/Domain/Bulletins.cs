namespace Coordination.Domain;

/// <summary>
/// Need to know, as Traffic Light Protocol 2.0, read for this cooperation (what each level lets each
/// role see is decided in <see cref="BulletinAccess"/>; the README says the same in words).
/// </summary>
public enum Tlp
{
    /// <summary>No limit: wall screens and viewers may show it, guards may pass it on.</summary>
    Clear = 1,

    /// <summary>The cooperation (police, licensed companies and their guards); viewers may show it.</summary>
    Green = 2,

    /// <summary>The recipient companies, their guards, and clients who need it to act (a site's owner).</summary>
    Amber = 3,

    /// <summary>The recipient companies and their own guards only.</summary>
    AmberStrict = 4,

    /// <summary>The recipient companies' control rooms only: never relayed to guards.</summary>
    Red = 5,
}

/// <summary>CAP 1.2 status: exercises and tests never look like real alerts anywhere.</summary>
public enum BulletinStatus
{
    Actual = 1,
    Exercise = 2,
    Test = 3,
}

/// <summary>
/// What a bulletin does to the chain it belongs to. <see cref="Cancel"/> withdraws an earlier
/// bulletin that should not have gone out or no longer applies as issued ("disregard it": CAP
/// msgType Cancel); <see cref="AllClear"/> says the situation is over (the person was found, the area
/// is safe: CAP msgType Update with responseType AllClear). Both end the chain's outstanding state.
/// </summary>
public enum BulletinMessage
{
    Alert = 1,
    Update = 2,
    Cancel = 3,
    AllClear = 4,
}

public enum BulletinUrgency
{
    Immediate = 1,
    Expected = 2,
    Future = 3,
    Past = 4,
    Unknown = 5,
}

public enum BulletinSeverity
{
    Extreme = 1,
    Severe = 2,
    Moderate = 3,
    Minor = 4,
    Unknown = 5,
}

public enum BulletinCertainty
{
    Observed = 1,
    Likely = 2,
    Possible = 3,
    Unlikely = 4,
    Unknown = 5,
}

public enum AudienceKind
{
    /// <summary>Every licensed company with units in the area.</summary>
    AllInArea = 1,

    /// <summary>The named companies.</summary>
    NamedCompanies = 2,

    /// <summary>Companies with units in the area that have the capability.</summary>
    Capability = 3,
}

[GenerateSerializer, Immutable, Alias("coordination.Circle")]
public sealed record Circle([property: Id(0)] GeoPoint Centre, [property: Id(1)] double RadiusKm);

/// <summary>Where a bulletin applies: districts, a circle, or a polygon (exactly one of them).</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinArea")]
public sealed record BulletinArea(
    [property: Id(0)] string[] Districts,
    [property: Id(1)] Circle? Circle,
    [property: Id(2)] GeoPoint[] Polygon)
{
    public static BulletinArea OfDistricts(params string[] districts) => new(districts, null, []);

    public static BulletinArea OfCircle(GeoPoint centre, double radiusKm) => new([], new Circle(centre, radiusKm), []);

    public static BulletinArea OfPolygon(params GeoPoint[] points) => new([], null, points);

    /// <summary>Whether a unit at <paramref name="position"/> (registered in <paramref name="homeDistrict"/>) is in the area.</summary>
    public bool Contains(GeoPoint? position, string homeDistrict)
    {
        if (Districts.Length > 0)
        {
            return Districts.Contains(homeDistrict, StringComparer.Ordinal);
        }

        if (position is not { } p)
        {
            return false;
        }

        return Circle is { } c ? Geo.DistanceKm(c.Centre, p) <= c.RadiusKm : GeoShapes.InPolygon(p, Polygon);
    }
}

[GenerateSerializer, Immutable, Alias("coordination.BulletinAudience")]
public sealed record BulletinAudience(
    [property: Id(0)] AudienceKind Kind,
    [property: Id(1)] string[] Companies,
    [property: Id(2)] string? Capability,
    [property: Id(3)] bool OnDutyOnly);

/// <summary>A police bulletin to guard companies as issued (the command); a retry with the same id takes effect once.</summary>
[GenerateSerializer, Immutable, Alias("coordination.IssueBulletin")]
public sealed record IssueBulletin(
    [property: Id(0)] string BulletinId,
    [property: Id(1)] string District,
    [property: Id(2)] BulletinMessage Message,
    [property: Id(3)] string? References,
    [property: Id(4)] string Kind,
    [property: Id(5)] string Headline,
    [property: Id(6)] string? Description,
    [property: Id(7)] string? Instruction,
    [property: Id(8)] BulletinUrgency Urgency,
    [property: Id(9)] BulletinSeverity Severity,
    [property: Id(10)] BulletinCertainty Certainty,
    [property: Id(11)] BulletinStatus Status,
    [property: Id(12)] BulletinArea Area,
    [property: Id(13)] BulletinAudience Audience,
    [property: Id(14)] Tlp Tlp,
    [property: Id(15)] DateTimeOffset Expires,
    [property: Id(16)] bool AcknowledgementRequired,
    [property: Id(17)] DateTimeOffset? AcknowledgeBy,
    [property: Id(18)] string? IncidentId,
    [property: Id(19)] string Actor);

public static class GeoShapes
{
    /// <summary>
    /// Mainland Norway's extent (57.9–71.2° N, 4.4–31.2° E). A bulletin's area must lie inside it. The
    /// box is coarse on purpose: near the Swedish, Finnish and Russian borders it also takes in a strip
    /// of the neighbour, which a bulletin's own area then narrows; it refuses the sea to the south and
    /// west, and everything abroad beyond the box.
    /// </summary>
    public static bool InNorway(GeoPoint p) => p.Latitude is >= 57.9 and <= 71.2 && p.Longitude is >= 4.4 and <= 31.2;

    /// <summary>Ray casting on latitude/longitude: exact enough for areas of a few tens of kilometres.</summary>
    public static bool InPolygon(GeoPoint p, IReadOnlyList<GeoPoint> ring)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            var (a, b) = (ring[i], ring[j]);
            if ((a.Latitude > p.Latitude) != (b.Latitude > p.Latitude)
                && p.Longitude < ((b.Longitude - a.Longitude) * (p.Latitude - a.Latitude) / (b.Latitude - a.Latitude)) + a.Longitude)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
