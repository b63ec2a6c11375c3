namespace Coordination.Domain;

public enum RouteRefusal
{
    None,

    /// <summary>Beyond Norway's territorial sea: no district's waters.</summary>
    AtSea,

    /// <summary>On land in Sweden, Finland or Russia.</summary>
    Abroad,

    /// <summary>Svalbard (policed by the Governor of Svalbard) or Jan Mayen: no queue of the 12 districts.</summary>
    Svalbard,
}

/// <summary>
/// The district whose queue gets a position, or why none does. NearestPlaceKm is the distance to the
/// nearest reference place, for a refusal too: the further it is, the less the district can be trusted.
/// </summary>
public readonly record struct DistrictRoute(string? DistrictId, RouteRefusal Refusal, double NearestPlaceKm);

/// <summary>
/// Routes a position to a police district. No outlines of the districts are free to use, so the district is
/// that of the nearest reference place (ReferenceData/district-places.json), which can be wrong within a few
/// kilometres of a district border. Country outlines (ReferenceData/norway-outline.json, Natural Earth) tell
/// Norway from abroad and from the open sea.
/// </summary>
public sealed class DistrictRouting
{
    /// <summary>Norway's territorial sea, 12 nautical miles: a district polices its coastal waters too.</summary>
    public const double CoastalWatersKm = 22;

    private const double KmPerDegreeLatitude = 111.2;

    private static readonly Lazy<DistrictRouting> Embedded = new(Load);

    private readonly Place[] places;
    private readonly Ring[] norway;
    private readonly Ring[] abroad;

    private DistrictRouting(Place[] places, Ring[] norway, Ring[] abroad)
    {
        this.places = places;
        this.norway = norway;
        this.abroad = abroad;
    }

    public static DistrictRouting Current => Embedded.Value;

    public DistrictRoute Route(GeoPoint position)
    {
        // Compared on a plane tangent at the position: one cosine instead of a haversine per place.
        var stretch = Math.Cos(position.Latitude * Math.PI / 180);
        var nearest = places.MinBy(p => Math.Pow(p.Position.Latitude - position.Latitude, 2) + Math.Pow((p.Position.Longitude - position.Longitude) * stretch, 2));
        var refusal = InSvalbardOrJanMayen(position) ? RouteRefusal.Svalbard
            : abroad.Any(r => r.Contains(position)) ? RouteRefusal.Abroad
            : norway.Any(r => r.Contains(position) || r.IsWithinKm(position, CoastalWatersKm)) ? RouteRefusal.None
            : RouteRefusal.AtSea;
        return new(refusal == RouteRefusal.None ? nearest.DistrictId : null, refusal, Geo.DistanceKm(nearest.Position, position));
    }

    /// <summary>
    /// The Svalbard Treaty's area (74–81° N, 10–35° E), taken to 81.5° N for the waters off the northernmost
    /// islands, and Jan Mayen with its waters; the outline file leaves both out.
    /// </summary>
    private static bool InSvalbardOrJanMayen(GeoPoint p) =>
        (p.Latitude is >= 74 and <= 81.5 && p.Longitude is >= 10 and <= 35)
        || (p.Latitude is >= 70.5 and <= 71.5 && p.Longitude is >= -10 and <= -7);

    private static DistrictRouting Load()
    {
        var file = ReferenceData.Read<PlacesFile>("district-places.json");
        var districts = ReferenceData.Current.DistrictsById;
        if (file.Districts.FirstOrDefault(d => !districts.ContainsKey(d.Id)) is { } unknown)
        {
            throw new InvalidOperationException($"district-places.json lists places for {unknown.Id}, which is not a district.");
        }

        if (districts.Keys.FirstOrDefault(id => !file.Districts.Any(d => d.Id == id && d.Places.Count > 0)) is { } placeless)
        {
            throw new InvalidOperationException($"district-places.json has no place in district {placeless}.");
        }

        var outline = ReferenceData.Read<OutlineFile>("norway-outline.json");
        return new(
            [.. file.Districts.SelectMany(d => d.Places.Select(p => new Place(d.Id, new GeoPoint(p.Latitude, p.Longitude))))],
            [.. outline.Norway.Select(r => new Ring(r))],
            [.. outline.Abroad.Select(r => new Ring(r))]);
    }

    private readonly record struct Place(string DistrictId, GeoPoint Position);

    /// <summary>
    /// A closed outline, its bounding box, and its edges by latitude band: a position only meets the edges of
    /// its own band (the ray cast) or of the bands within reach (the distance), so a call costs microseconds
    /// although the mainland's outline has thousands of edges.
    /// </summary>
    private sealed class Ring
    {
        private const double BandDegrees = 0.1;

        private readonly double south;
        private readonly double north;
        private readonly double west;
        private readonly double east;
        private readonly (GeoPoint A, GeoPoint B)[][] bands;

        public Ring(double[] latLon)
        {
            var points = latLon.Chunk(2).Select(c => new GeoPoint(c[0], c[1])).ToArray();
            south = points.Min(p => p.Latitude);
            north = points.Max(p => p.Latitude);
            west = points.Min(p => p.Longitude);
            east = points.Max(p => p.Longitude);
            var edges = Enumerable.Range(0, Band(north) + 1).Select(_ => new List<(GeoPoint, GeoPoint)>()).ToArray();
            for (int i = 0, j = points.Length - 1; i < points.Length; j = i++)
            {
                var (a, b) = (points[j], points[i]);
                for (var band = Band(Math.Min(a.Latitude, b.Latitude)); band <= Band(Math.Max(a.Latitude, b.Latitude)); band++)
                {
                    edges[band].Add((a, b));
                }
            }

            bands = [.. edges.Select(e => e.ToArray())];
        }

        /// <summary>Ray casting on latitude/longitude, as <see cref="GeoShapes.InPolygon"/>, over the position's band only.</summary>
        public bool Contains(GeoPoint p)
        {
            if (!InBox(p, 0, 0))
            {
                return false;
            }

            var inside = false;
            foreach (var (a, b) in bands[Band(p.Latitude)])
            {
                if ((a.Latitude > p.Latitude) != (b.Latitude > p.Latitude)
                    && p.Longitude < ((b.Longitude - a.Longitude) * (p.Latitude - a.Latitude) / (b.Latitude - a.Latitude)) + a.Longitude)
                {
                    inside = !inside;
                }
            }

            return inside;
        }

        /// <summary>Distances on a plane tangent at p: within tens of kilometres the error is far below the outline's own.</summary>
        public bool IsWithinKm(GeoPoint p, double km)
        {
            var kmPerDegreeLongitude = KmPerDegreeLatitude * Math.Cos(p.Latitude * Math.PI / 180);
            var reach = km / KmPerDegreeLatitude;
            if (!InBox(p, reach, km / kmPerDegreeLongitude))
            {
                return false;
            }

            for (var band = Band(Math.Max(south, p.Latitude - reach)); band <= Band(Math.Min(north, p.Latitude + reach)); band++)
            {
                foreach (var (a, b) in bands[band])
                {
                    var (ax, ay) = ((a.Longitude - p.Longitude) * kmPerDegreeLongitude, (a.Latitude - p.Latitude) * KmPerDegreeLatitude);
                    var (dx, dy) = (((b.Longitude - p.Longitude) * kmPerDegreeLongitude) - ax, ((b.Latitude - p.Latitude) * KmPerDegreeLatitude) - ay);
                    var lengthSquared = (dx * dx) + (dy * dy);
                    var t = lengthSquared > 0 ? Math.Clamp(-((ax * dx) + (ay * dy)) / lengthSquared, 0, 1) : 0;
                    var (x, y) = (ax + (t * dx), ay + (t * dy));
                    if ((x * x) + (y * y) <= km * km)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private int Band(double latitude) => (int)((latitude - south) / BandDegrees);

        private bool InBox(GeoPoint p, double marginLatitude, double marginLongitude) =>
            p.Latitude >= south - marginLatitude && p.Latitude <= north + marginLatitude
            && p.Longitude >= west - marginLongitude && p.Longitude <= east + marginLongitude;
    }

    private sealed record PlacesFile(List<DistrictPlaces> Districts);

    private sealed record DistrictPlaces(string Id, List<PlaceEntry> Places);

    private sealed record PlaceEntry(double Latitude, double Longitude);

    private sealed record OutlineFile(double[][] Norway, double[][] Abroad);
}
