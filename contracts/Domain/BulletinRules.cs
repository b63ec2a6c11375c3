namespace Coordination.Domain;

/// <summary>
/// What a bulletin must be before anything is stored: every refusal is INVALID_ARGUMENT naming the
/// field (the public API's proto path), checked by the gateway and again by the bulletin's grain.
/// </summary>
public static class BulletinRules
{
    // CAP advises headlines under 160 characters (text messages, wall screens).
    public const int MaxHeadline = 160;
    public const int MaxDescription = 4_000;
    public const int MaxInstruction = 1_000;
    public const int MaxPolygonPoints = 500;
    public const int MaxCompanies = 200;
    public const double MinRadiusKm = 0.05;
    public const double MaxRadiusKm = 200;

    /// <summary>A bulletin is for days, not for ever: a standing notice is issued again.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    /// <summary>Added to the instruction of kinds about people and vehicles sought (§ 12: no police authority).</summary>
    public const string ObserveAndReport = "Observe and report to the police; do not intervene. Guards have no police authority (vaktvirksomhetsloven § 12).";

    // Words that, earlier in the same sentence, turn a forbidden task into a warning against it.
    private static readonly HashSet<string> Negations = new(["not", "never", "don't", "dont", "no", "avoid", "ikke", "aldri", "ingen", "unngå"], StringComparer.Ordinal);

    /// <summary>Checks the whole bulletin; returns it with the instruction as guards will read it.</summary>
    public static IssueBulletin Check(IssueBulletin b, DateTimeOffset now)
    {
        Validate.Id(b.BulletinId, "bulletin_id");
        Validate.District(b.District, "district_id");
        if (!Enum.IsDefined(b.Message))
        {
            throw CoordinationException.Invalid("message_type", "must be ALERT, UPDATE, CANCEL or ALL_CLEAR");
        }

        if (b.Message == BulletinMessage.Alert && !string.IsNullOrEmpty(b.References))
        {
            throw CoordinationException.Invalid("references", "must be empty for a new alert; an update, cancel or all clear names the bulletin it follows");
        }

        if (b.Message != BulletinMessage.Alert && BulletinIds.District(Validate.BulletinId(b.References, "references")) != b.District)
        {
            throw CoordinationException.Invalid("references", $"'{b.References}' is another district's bulletin; a chain stays with the district that began it");
        }

        if (b.References == BulletinIds.Of(b.District, b.BulletinId ?? ""))
        {
            throw CoordinationException.Invalid("references", "names the bulletin itself; it follows an earlier one");
        }

        var kind = ReferenceData.Current.BulletinKindsById.GetValueOrDefault(b.Kind ?? "")
            ?? throw CoordinationException.Invalid("kind", $"'{b.Kind}' is not a kind of bulletin (one of: {string.Join(", ", ReferenceData.Current.BulletinKinds.Select(k => k.Id))})");
        Validate.RequiredText(b.Headline, "headline", MaxHeadline);
        Optional(b.Description, "description", MaxDescription);
        Optional(b.Instruction, "instruction", MaxInstruction);
        if (b.Instruction is { } text && ForbiddenIn(text) is { } forbidden)
        {
            throw CoordinationException.Invalid("instruction", $"asks guards to do what they may not: '{forbidden.Name}' is not a lawful task for guards: {forbidden.Reason}");
        }

        Defined(b.Urgency, "urgency");
        Defined(b.Severity, "severity");
        Defined(b.Certainty, "certainty");
        Defined(b.Status, "status");
        Defined(b.Tlp, "tlp");
        Area(b.Area);
        Audience(b.Audience);

        if (b.Expires <= now)
        {
            throw CoordinationException.Invalid("expires", $"is in the past ({b.Expires:u}); a bulletin must still be in force when issued");
        }

        if (b.Expires > now + MaxLifetime)
        {
            throw CoordinationException.Invalid("expires", $"is more than {MaxLifetime.TotalDays} days ahead; issue a standing notice again when it runs out");
        }

        if (b.AcknowledgementRequired)
        {
            if (b.AcknowledgeBy is not { } by || by <= now)
            {
                throw CoordinationException.Invalid("acknowledge_by", "must be in the future when acknowledgement is required");
            }

            if (by > b.Expires)
            {
                throw CoordinationException.Invalid("acknowledge_by", "must not be after the bulletin expires");
            }
        }
        else if (b.AcknowledgeBy is not null)
        {
            throw CoordinationException.Invalid("acknowledge_by", "is only for a bulletin that requires acknowledgement");
        }

        if (b.IncidentId is not null)
        {
            Validate.IncidentId(b.IncidentId, "incident_id");
        }

        return b with { Instruction = InstructionFor(kind, b.Instruction) };
    }

    /// <summary>The instruction guards read: for kinds about people and vehicles sought, with the § 12 reminder.</summary>
    public static string? InstructionFor(BulletinKind kind, string? instruction)
    {
        if (!kind.ObserveOnly || (instruction?.Contains(ObserveAndReport, StringComparison.Ordinal) ?? false))
        {
            return instruction;
        }

        return string.IsNullOrWhiteSpace(instruction) ? ObserveAndReport : $"{instruction.TrimEnd()} {ObserveAndReport}";
    }

    /// <summary>
    /// The first forbidden task the text tells guards to do: a task's words in a sentence that does
    /// not negate them ("detain him" is refused, "do not detain him" is the reminder in other words).
    /// </summary>
    public static ForbiddenTask? ForbiddenIn(string instruction)
    {
        foreach (var sentence in instruction.ToLowerInvariant().Split(['.', '!', '?', ';', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var task in ReferenceData.Current.ForbiddenTasks)
            {
                foreach (var word in task.Words ?? [])
                {
                    var at = sentence.IndexOf(word, StringComparison.Ordinal);
                    if (at >= 0 && !sentence[..at].Split([' ', ',', ':', '(', '-'], StringSplitOptions.RemoveEmptyEntries).Any(Negations.Contains))
                    {
                        return task;
                    }
                }
            }
        }

        return null;
    }

    private static void Area(BulletinArea area)
    {
        var kinds = (area.Districts.Length > 0 ? 1 : 0) + (area.Circle is null ? 0 : 1) + (area.Polygon.Length > 0 ? 1 : 0);
        if (kinds != 1)
        {
            throw CoordinationException.Invalid("area", "must be exactly one of districts, circle or polygon");
        }

        for (var i = 0; i < area.Districts.Length; i++)
        {
            Validate.District(area.Districts[i], $"area.districts[{i}]");
        }

        if (area.Circle is { } circle)
        {
            InNorway(Validate.Position(circle.Centre, "area.circle.centre")!.Value, "area.circle.centre");
            if (!double.IsFinite(circle.RadiusKm) || circle.RadiusKm < MinRadiusKm || circle.RadiusKm > MaxRadiusKm)
            {
                throw CoordinationException.Invalid("area.circle.radius_km", $"must be between {MinRadiusKm} and {MaxRadiusKm} km");
            }
        }

        if (area.Polygon.Length > 0)
        {
            var ring = area.Polygon;
            if (ring.Length < 4)
            {
                throw CoordinationException.Invalid("area.polygon", $"has {ring.Length} points; a closed polygon needs at least 4 (the first repeated at the end)");
            }

            if (ring.Length > MaxPolygonPoints)
            {
                throw CoordinationException.Invalid("area.polygon", $"has {ring.Length} points; the limit is {MaxPolygonPoints}");
            }

            for (var i = 0; i < ring.Length; i++)
            {
                InNorway(Validate.Position(ring[i], $"area.polygon[{i}]")!.Value, $"area.polygon[{i}]");
            }

            if (ring[0] != ring[^1])
            {
                throw CoordinationException.Invalid("area.polygon", "does not close: the last point must equal the first (CAP 1.2)");
            }
        }
    }

    private static void Audience(BulletinAudience audience)
    {
        Defined(audience.Kind, "audience.kind");
        switch (audience.Kind)
        {
            case AudienceKind.NamedCompanies when audience.Companies.Length == 0:
                throw CoordinationException.Invalid("audience.companies", "must name at least one company");
            case AudienceKind.NamedCompanies when audience.Companies.Length > MaxCompanies:
                throw CoordinationException.Invalid("audience.companies", $"names {audience.Companies.Length} companies; the limit is {MaxCompanies}");
            case AudienceKind.NamedCompanies:
                for (var i = 0; i < audience.Companies.Length; i++)
                {
                    Validate.Id(audience.Companies[i], $"audience.companies[{i}]");
                }

                break;
            case AudienceKind.Capability:
                Validate.Capability(audience.Capability, "audience.capability");
                break;
            case AudienceKind.AllInArea when audience.Companies.Length > 0 || audience.Capability is not null:
                throw CoordinationException.Invalid("audience", "all companies in the area takes no companies or capability");
        }
    }

    private static void InNorway(GeoPoint p, string field)
    {
        if (!GeoShapes.InNorway(p))
        {
            throw CoordinationException.Invalid(field, $"({p.Latitude:0.####}, {p.Longitude:0.####}) is outside Norway (57.9–71.2° N, 4.4–31.2° E)");
        }
    }

    private static void Optional(string? text, string field, int max)
    {
        if (text is { Length: var length } && length > max)
        {
            throw CoordinationException.Invalid(field, $"is {length} characters long; the limit is {max}");
        }
    }

    private static void Defined<T>(T value, string field)
        where T : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw CoordinationException.Invalid(field, $"must be one of {string.Join(", ", Enum.GetNames<T>())}");
        }
    }
}
