using Coordination.Domain;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>
/// Bulletins, proto ↔ domain. The proto enums carry the domain's numbers on purpose (UNSPECIFIED is
/// 0, which no domain value uses), so a value is cast across and the domain's checks name the field
/// of a number that is not one of them.
/// </summary>
internal static class BulletinMapping
{
    public static IssueBulletin ToDomain(this Proto.IssueBulletinRequest r, string actor) => new(
        r.BulletinId,
        r.DistrictId,
        (BulletinMessage)(int)r.MessageType,
        r.References.OrNull(),
        r.Kind,
        r.Headline,
        r.Description.OrNull(),
        r.Instruction.OrNull(),
        (BulletinUrgency)(int)r.Urgency,
        (BulletinSeverity)(int)r.Severity,
        (BulletinCertainty)(int)r.Certainty,
        (BulletinStatus)(int)r.Status,
        r.Area.ToDomain(),
        r.Audience.ToDomain(),
        (Tlp)(int)r.Tlp,
        r.Expires?.ToDomain("expires") ?? throw CoordinationException.Invalid("expires", "is required"),
        r.AcknowledgementRequired,
        r.AcknowledgeBy?.ToDomain("acknowledge_by"),
        r.IncidentId.OrNull(),
        actor);

    public static Acknowledgement ToDomain(this Proto.AcknowledgeBulletinRequest r) =>
        new((AcknowledgementKind)(int)r.Acknowledgement, r.RelayedUnits, r.Text.OrNull());

    public static Proto.Bulletin ToApi(this BulletinView v)
    {
        var b = v.Bulletin;
        var result = new Proto.Bulletin
        {
            Id = v.Id,
            DistrictId = b.District,
            MessageType = (Proto.BulletinMessageType)(int)b.Message,
            References = b.References ?? "",
            Chain = { v.Chain },
            Kind = b.Kind,
            Headline = b.Headline,
            Description = b.Description ?? "",
            Instruction = b.Instruction ?? "",
            Urgency = (Proto.BulletinUrgency)(int)b.Urgency,
            Severity = (Proto.BulletinSeverity)(int)b.Severity,
            Certainty = (Proto.BulletinCertainty)(int)b.Certainty,
            Status = (Proto.BulletinStatus)(int)b.Status,
            Area = b.Area.ToApi(),
            Audience = b.Audience.ToApi(),
            Tlp = (Proto.Tlp)(int)b.Tlp,
            TlpLabel = BulletinAccess.Label(b.Tlp),
            Handling = BulletinAccess.Handling(b.Tlp),
            MayRelayToGuards = BulletinAccess.MayRelayToGuards(b.Tlp),
            IssuedAt = v.IssuedAt.ToApi(),
            Expires = b.Expires.ToApi(),
            AcknowledgementRequired = b.AcknowledgementRequired,
            AcknowledgeBy = b.AcknowledgeBy?.ToApi(),
            IncidentId = b.IncidentId ?? "",
            IssuedBy = b.Actor,
            State = (Proto.BulletinState)(int)v.State,
            SupersededBy = v.SupersededBy ?? "",
            EndedAt = v.EndedAt?.ToApi(),
            RecipientsTotal = v.Recipients.Length,
            Delivered = v.Delivered,
            Acknowledged = v.Acknowledged,
            MissingAtDeadline = v.MissingAtDeadline,
            TextErasedAt = v.TextErasedAt?.ToApi(),
            ContentSha256 = v.ContentSha256,
        };
        result.Recipients.AddRange(v.Recipients.Select(r => new Proto.BulletinRecipient
        {
            CompanyId = r.CompanyId,
            DeliveredAt = r.DeliveredAt?.ToApi(),
            Acknowledgement = r.Acknowledgement is { } a ? (Proto.AcknowledgementKind)(int)a.Kind : Proto.AcknowledgementKind.Unspecified,
            AcknowledgedAt = r.AcknowledgedAt?.ToApi(),
            RelayedUnits = r.Acknowledgement?.RelayedUnits ?? 0,
            AcknowledgementText = r.Acknowledgement?.Text ?? "",
            MissingAtDeadline = r.MissingAtDeadline,
            ResentAt = r.ResentAt?.ToApi(),
        }));
        return result;
    }

    public static Proto.BulletinEvent ToApi(this BulletinFeedEvent e, BulletinView bulletin, bool restarted) => new()
    {
        Sequence = e.Sequence,
        Kind = (Proto.BulletinEvent.Types.Kind)(int)e.Kind,
        Bulletin = bulletin.ToApi(),
        Restarted = restarted,
    };

    /// <summary>A district board's line for dashboards (who may see it is decided by <see cref="BulletinSummary.ShownTo"/> before this).</summary>
    public static Proto.BulletinLine ToApi(this BulletinSummary line) => new()
    {
        BulletinId = line.Id,
        DistrictId = BulletinIds.District(line.Id),
        Kind = line.Kind,
        Headline = line.Headline,
        Tlp = (Proto.Tlp)(int)line.Tlp,
        TlpLabel = BulletinAccess.Label(line.Tlp),
        Status = (Proto.BulletinStatus)(int)line.Status,
        Area = line.Area.ToApi(),
        AreaDistricts = { line.AreaDistricts },
        Recipients = line.Recipients,
        Delivered = line.Delivered,
        Acknowledged = line.Acknowledged,
        MissingAtDeadline = line.MissingAtDeadline,
        AcknowledgementRequired = line.AcknowledgementRequired,
        AcknowledgeBy = line.AcknowledgeBy?.ToApi(),
        Expires = line.Expires.ToApi(),
    };

    private static BulletinArea ToDomain(this Proto.BulletinArea? area) => area is null
        ? new BulletinArea([], null, [])
        : new BulletinArea(
            [.. area.Districts],
            area.Circle is { } c ? new Circle(c.Centre.ToDomain() ?? throw CoordinationException.Invalid("area.circle.centre", "is required"), c.RadiusKm) : null,
            [.. area.Polygon.Select(p => new GeoPoint(p.Latitude, p.Longitude))]);

    private static Proto.BulletinArea ToApi(this BulletinArea area)
    {
        var result = new Proto.BulletinArea { Districts = { area.Districts } };
        if (area.Circle is { } c)
        {
            result.Circle = new Proto.Circle { Centre = ((GeoPoint?)c.Centre).ToApi(), RadiusKm = c.RadiusKm };
        }

        result.Polygon.AddRange(area.Polygon.Select(p => ((GeoPoint?)p).ToApi()));
        return result;
    }

    private static BulletinAudience ToDomain(this Proto.BulletinAudience? audience) => audience is null
        ? throw CoordinationException.Invalid("audience", "is required")
        : new BulletinAudience((AudienceKind)(int)audience.Kind, [.. audience.Companies], audience.Capability.OrNull(), audience.OnDutyOnly);

    private static Proto.BulletinAudience ToApi(this BulletinAudience audience) => new()
    {
        Kind = (Proto.BulletinAudienceKind)(int)audience.Kind,
        Companies = { audience.Companies },
        Capability = audience.Capability ?? "",
        OnDutyOnly = audience.OnDutyOnly,
    };
}
