namespace Coordination.Domain;

/// <summary>
/// Input rules shared by the gateway (to answer fast, before any grain is touched) and the grains
/// (so that nothing reaches state that the gateway would have refused). Field names are the
/// public API's proto field paths, so an InvalidArgument tells a client exactly what to fix.
/// </summary>
public static class Validate
{
    public const int MaxIdLength = 64;
    public const int MaxNameLength = 200;
    public const int MaxUnitsPerBatch = 1000;
    public const int MaxHeadcount = 100;

    /// <summary>Ids become grain keys and appear in URLs and logs: letters, digits, '.', '_' and '-', starting with a letter or digit.</summary>
    public static string Id(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw CoordinationException.Invalid(field, "is required");
        }

        if (value.Length > MaxIdLength)
        {
            throw CoordinationException.Invalid(field, $"is {value.Length} characters long; the limit is {MaxIdLength}");
        }

        if (!char.IsAsciiLetterOrDigit(value[0]) || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw CoordinationException.Invalid(field, "may hold only letters a-z, digits, '.', '_' and '-', and must start with a letter or digit");
        }

        return value;
    }

    public static string District(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw CoordinationException.Invalid(field, "is required");
        }

        return ReferenceData.Current.IsDistrict(value)
            ? value
            : throw CoordinationException.Invalid(field, $"'{Shorten(value)}' is not a police district (one of: {string.Join(", ", ReferenceData.Current.Districts.Select(d => d.Id))})");
    }

    public static string Capability(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw CoordinationException.Invalid(field, "is required");
        }

        if (ReferenceData.Current.ForbiddenById.TryGetValue(value, out var forbidden))
        {
            throw CoordinationException.Invalid(field, $"'{forbidden.Name}' is not a lawful task for guards: {forbidden.Reason}");
        }

        return ReferenceData.Current.IsCapability(value)
            ? value
            : throw CoordinationException.Invalid(field, $"'{Shorten(value)}' is not a known capability (one of: {string.Join(", ", ReferenceData.Current.Capabilities.Select(c => c.Id))})");
    }

    public static string? OptionalName(string? value, string field) =>
        value is { Length: > MaxNameLength }
            ? throw CoordinationException.Invalid(field, $"is {value.Length} characters long; the limit is {MaxNameLength}")
            : value;

    public static GeoPoint? Position(GeoPoint? position, string field)
    {
        if (position is not { } p)
        {
            return null;
        }

        if (!double.IsFinite(p.Latitude) || p.Latitude is < -90 or > 90)
        {
            throw CoordinationException.Invalid($"{field}.latitude", "must be between -90 and 90");
        }

        if (!double.IsFinite(p.Longitude) || p.Longitude is < -180 or > 180)
        {
            throw CoordinationException.Invalid($"{field}.longitude", "must be between -180 and 180");
        }

        return p;
    }

    /// <summary>Checks a whole batch before any of it is applied, so a bad entry leaves nothing half-registered.</summary>
    public static IReadOnlyList<UnitRegistration> Registrations(IReadOnlyList<UnitRegistration> units)
    {
        if (units.Count == 0)
        {
            throw CoordinationException.Invalid("units", "must hold at least one unit");
        }

        if (units.Count > MaxUnitsPerBatch)
        {
            throw CoordinationException.Invalid("units", $"holds {units.Count} units; the limit per call is {MaxUnitsPerBatch}");
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var normalised = new List<UnitRegistration>(units.Count);
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            var at = $"units[{i}]";
            Id(unit.UnitId, $"{at}.unit_id");
            if (!seen.TryAdd(unit.UnitId, i))
            {
                throw CoordinationException.Invalid($"{at}.unit_id", $"'{unit.UnitId}' also appears at units[{seen[unit.UnitId]}]");
            }

            if (unit.Headcount < 1)
            {
                throw CoordinationException.Invalid($"{at}.headcount", $"must be at least 1 (was {unit.Headcount})");
            }

            if (unit.Headcount > MaxHeadcount)
            {
                throw CoordinationException.Invalid($"{at}.headcount", $"must be at most {MaxHeadcount} guards per unit (was {unit.Headcount})");
            }

            if (unit.Capabilities is not { Length: > 0 })
            {
                throw CoordinationException.Invalid($"{at}.capabilities", "must name at least one capability");
            }

            for (var c = 0; c < unit.Capabilities.Length; c++)
            {
                Capability(unit.Capabilities[c], $"{at}.capabilities[{c}]");
            }

            District(unit.HomeDistrict, $"{at}.home_district");
            Position(unit.Position, $"{at}.position");
            normalised.Add(unit with { Capabilities = unit.Capabilities.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray() });
        }

        return normalised;
    }

    public const int MaxGuardsPerRequest = 1000;
    public static readonly TimeSpan MaxRequestDuration = TimeSpan.FromDays(14);

    /// <summary>Incident ids are <c>district.request-id</c> (see <see cref="IncidentIds.Of"/>).</summary>
    public static string IncidentId(string? value, string field) => DistrictScoped(value, field, "an incident id (district.request-id)");

    /// <summary>Bulletin ids are <c>district.bulletin-id</c> (see <see cref="BulletinIds.Of"/>).</summary>
    public static string BulletinId(string? value, string field) => DistrictScoped(value, field, "a bulletin id (district.bulletin-id)");

    /// <summary>Observation ids are <c>company/observation-id</c> (see <see cref="ObservationIds.Of"/>).</summary>
    public static string ObservationId(string? value, string field)
    {
        var slash = value?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0)
        {
            throw CoordinationException.Invalid(field, string.IsNullOrEmpty(value) ? "is required" : $"'{Shorten(value)}' is not an observation id (company/observation-id)");
        }

        Id(value![..slash], field);
        Id(value[(slash + 1)..], field);
        return value;
    }

    private static string DistrictScoped(string? value, string field, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw CoordinationException.Invalid(field, "is required");
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !ReferenceData.Current.IsDistrict(value[..dot]))
        {
            throw CoordinationException.Invalid(field, $"'{Shorten(value)}' is not {what}");
        }

        Id(value[(dot + 1)..], field);
        return value;
    }

    /// <summary>Offer ids are <c>incident~n</c>; returns the incident's id.</summary>
    public static string OfferId(string? value, string field)
    {
        var incident = string.IsNullOrEmpty(value) ? null : IncidentIds.IncidentOfOffer(value);
        if (incident is null || !int.TryParse(value![(incident.Length + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw CoordinationException.Invalid(field, string.IsNullOrEmpty(value) ? "is required" : $"'{Shorten(value)}' is not an offer id");
        }

        return IncidentId(incident, field);
    }

    public static string RequiredText(string? value, string field, int maxLength = MaxNameLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw CoordinationException.Invalid(field, "is required");
        }

        return value.Length > maxLength
            ? throw CoordinationException.Invalid(field, $"is {value.Length} characters long; the limit is {maxLength}")
            : value;
    }

    public static RequestCapacity CapacityRequest(RequestCapacity request)
    {
        Id(request.RequestId, "request_id");
        Capability(request.Capability, "capability");
        if (request.Guards < 1)
        {
            throw CoordinationException.Invalid("guards", $"must be at least 1 (was {request.Guards})");
        }

        if (request.Guards > MaxGuardsPerRequest)
        {
            throw CoordinationException.Invalid("guards", $"must be at most {MaxGuardsPerRequest} per request (was {request.Guards})");
        }

        Position(request.Location, "location");
        if (request.Duration <= TimeSpan.Zero || request.Duration > MaxRequestDuration)
        {
            throw CoordinationException.Invalid("duration_minutes", $"must be between 1 minute and {MaxRequestDuration.TotalDays} days");
        }

        // The window's end is Start + Duration: a start near the end of the calendar has no end to hold.
        if (request.Start > DateTimeOffset.MaxValue - request.Duration)
        {
            throw CoordinationException.Invalid("duration_minutes", "would end the request after 9999-12-31; the start is too late for this duration");
        }

        return request;
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
