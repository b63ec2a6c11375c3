using System.Globalization;
using System.Xml.Linq;

namespace Coordination.Domain;

/// <summary>
/// A bulletin as an OASIS CAP 1.2 <c>alert</c>, so any alerting system can take it in. The level of
/// need to know goes with it: CLEAR to AMBER are <c>Restricted</c> (the restriction says to whom),
/// AMBER+STRICT and RED are <c>Private</c>, addressed to the recipient companies only.
/// </summary>
public static class CapAlert
{
    public static readonly XNamespace Cap = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>An earlier bulletin this one follows (for CAP <c>references</c>).</summary>
    public sealed record Reference(string District, string BulletinId, DateTimeOffset Sent);

    /// <param name="bulletin">The bulletin as issued.</param>
    /// <param name="sent">When it was issued.</param>
    /// <param name="references">The earlier bulletins of its chain, oldest first.</param>
    /// <param name="recipients">The companies it was addressed to (for a Private alert's addresses).</param>
    public static XDocument Write(IssueBulletin bulletin, DateTimeOffset sent, IReadOnlyList<Reference> references, IReadOnlyList<string> recipients)
    {
        var kind = ReferenceData.Current.BulletinKindsById[bulletin.Kind];
        var district = ReferenceData.Current.DistrictsById[bulletin.District];
        var @private = bulletin.Tlp >= Tlp.AmberStrict;
        var alert = new XElement(Cap + "alert",
            new XElement(Cap + "identifier", Identifier(bulletin.District, bulletin.BulletinId)),
            new XElement(Cap + "sender", Sender(bulletin.District)),
            new XElement(Cap + "sent", Time(sent)),
            new XElement(Cap + "status", bulletin.Status.ToString()),
            new XElement(Cap + "msgType", bulletin.Message switch
            {
                BulletinMessage.Alert => "Alert",
                BulletinMessage.Cancel => "Cancel",
                _ => "Update",
            }),
            new XElement(Cap + "scope", @private ? "Private" : "Restricted"),
            @private ? null : new XElement(Cap + "restriction", $"{BulletinAccess.Label(bulletin.Tlp)}: {BulletinAccess.Handling(bulletin.Tlp)}"),
            @private ? new XElement(Cap + "addresses", string.Join(' ', recipients.Select(Address))) : null,
            new XElement(Cap + "code", BulletinAccess.Label(bulletin.Tlp)),
            new XElement(Cap + "code", "no.politiet.coordination.bulletin"),
            references.Count == 0 ? null : new XElement(Cap + "references",
                string.Join(' ', references.Select(r => $"{Sender(r.District)},{Identifier(r.District, r.BulletinId)},{Time(r.Sent)}"))),
            bulletin.IncidentId is { } incident ? new XElement(Cap + "incidents", incident) : null,
            new XElement(Cap + "info",
                new XElement(Cap + "language", "nb-NO"),
                new XElement(Cap + "category", kind.CapCategory),
                new XElement(Cap + "event", kind.Name),
                new XElement(Cap + "responseType", bulletin.Message == BulletinMessage.AllClear ? "AllClear" : kind.ResponseType),
                new XElement(Cap + "urgency", bulletin.Urgency.ToString()),
                new XElement(Cap + "severity", bulletin.Severity.ToString()),
                new XElement(Cap + "certainty", bulletin.Certainty.ToString()),
                new XElement(Cap + "audience", BulletinAccess.MayRelayToGuards(bulletin.Tlp) ? "Security company control rooms and their guards on duty" : "Security company control rooms only"),
                new XElement(Cap + "expires", Time(bulletin.Expires)),
                new XElement(Cap + "senderName", district.Name),
                new XElement(Cap + "headline", bulletin.Headline),
                bulletin.Description is { Length: > 0 } description ? new XElement(Cap + "description", description) : null,
                bulletin.Instruction is { Length: > 0 } instruction ? new XElement(Cap + "instruction", instruction) : null,
                Parameter("acknowledgementRequired", bulletin.AcknowledgementRequired ? "true" : "false"),
                bulletin.AcknowledgeBy is { } by ? Parameter("acknowledgeBy", Time(by)) : null,
                Area(bulletin.Area)));
        return new XDocument(new XDeclaration("1.0", "utf-8", null), alert);
    }

    public static string Identifier(string district, string bulletinId) => $"no.politiet.coordination.{district}.{bulletinId}";

    // No spaces or commas (CAP): the district's operations centre in this system.
    private static string Sender(string district) => $"police.{district}@coordination.politiet.no";

    private static string Address(string company) => $"company.{company}@coordination.politiet.no";

    private static XElement Parameter(string name, string value) =>
        new(Cap + "parameter", new XElement(Cap + "valueName", name), new XElement(Cap + "value", value));

    private static XElement Area(BulletinArea area)
    {
        var element = new XElement(Cap + "area", new XElement(Cap + "areaDesc", Describe(area)));
        if (area.Polygon.Length > 0)
        {
            element.Add(new XElement(Cap + "polygon", string.Join(' ', area.Polygon.Select(Point))));
        }

        if (area.Circle is { } circle)
        {
            element.Add(new XElement(Cap + "circle", $"{Point(circle.Centre)} {circle.RadiusKm.ToString("0.###", CultureInfo.InvariantCulture)}"));
        }

        foreach (var district in area.Districts)
        {
            element.Add(new XElement(Cap + "geocode", new XElement(Cap + "valueName", "politidistrikt"), new XElement(Cap + "value", district)));
        }

        return element;
    }

    private static string Describe(BulletinArea area) =>
        area.Districts.Length > 0 ? string.Join(", ", area.Districts.Select(d => ReferenceData.Current.DistrictsById[d].Name))
        : area.Circle is { } c ? $"Within {c.RadiusKm.ToString("0.###", CultureInfo.InvariantCulture)} km of {Point(c.Centre)}"
        : "Polygon";

    // CAP: "latitude,longitude" in WGS 84 decimal degrees.
    private static string Point(GeoPoint p) =>
        $"{p.Latitude.ToString("0.######", CultureInfo.InvariantCulture)},{p.Longitude.ToString("0.######", CultureInfo.InvariantCulture)}";

    // CAP's own dateTime form: seconds, no fraction, an explicit offset (never "Z").
    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture);
}
