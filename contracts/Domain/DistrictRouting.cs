namespace Coordination.Domain;

/// <summary>Why a position routes to no district.</summary>
public enum RouteRefusal
{
    None,
    AtSea,
    Abroad,
    Svalbard,
}

public readonly record struct DistrictRoute(string? DistrictId, RouteRefusal Refusal, double NearestPlaceKm);

/// <summary>
/// Interim rule, replaced by the outline-based one being built: the district whose headquarters is
/// nearest. It refuses nothing and errs widely near borders.
/// </summary>
public sealed class DistrictRouting
{
    public const double CoastalWatersKm = 22;

    public static DistrictRouting Current { get; } = new();

    public DistrictRoute Route(GeoPoint position)
    {
        var nearest = ReferenceData.Current.Districts.MinBy(d => Geo.DistanceKm(d.Position, position))!;
        return new(nearest.Id, RouteRefusal.None, Geo.DistanceKm(nearest.Position, position));
    }
}
