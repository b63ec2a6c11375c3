using System.Globalization;
using Coordination.Api.V1;

namespace Coordination.Cli;

/// <summary>
/// How the API's messages are printed. The README's worked example quotes these lines, and scripts
/// read them, so their layout is part of the command line's contract.
/// </summary>
internal static class Lines
{
    public static string Time(Google.Protobuf.WellKnownTypes.Timestamp at, string format = "HH:mm:sszzz") => Commands.Time(at.ToDateTimeOffset(), format);

    public static string Unit(Unit unit) =>
        $"{unit.UnitId,-12} {unit.Status,-13} {unit.Headcount,3} guards  {unit.HomeDistrict,-16} {string.Join(",", unit.Capabilities)}"
        + (unit.Stale ? "  STALE" : "")
        + (unit.CountedAvailable ? "  counted" : "");

    public static string Company(Company company) =>
        $"{company.CompanyId,-20} {company.Name,-24} licence {company.Licence}{(company.LicenceReason.Length > 0 ? $" ({company.LicenceReason})" : "")}"
        + $", framework agreement {(company.FrameworkAgreements.Count > 0 ? string.Join(",", company.FrameworkAgreements) : "none")}"
        + $", {company.Units} units ({string.Join(", ", company.UnitsByDistrict.Select(d => $"{d.DistrictId} {d.Units}"))})"
        + $", {company.OutstandingOffers} offers waiting";

    public static async Task WriteRequestAsync(TextWriter output, CapacityRequest r)
    {
        await output.WriteLineAsync($"request {r.RequestId}: {r.Status} {r.CommittedGuards}/{r.Guards} guards committed, {r.OfferedGuards} offered{(r.ReleasedGuards > 0 ? $", {r.ReleasedGuards} released" : "")} ({r.Capability})");
        foreach (var o in r.Offers)
        {
            await output.WriteLineAsync($"  offer {o.OfferId} to {o.CompanyId}: {o.Guards} guards, {o.Status}{(o.Automatic ? " (framework agreement)" : "")} {o.Reason}".TrimEnd());
        }

        foreach (var a in r.Assignments)
        {
            await output.WriteLineAsync($"  unit {a.CompanyId}/{a.UnitId}: {a.Guards} guards, {a.Status}");
        }
    }

    public static async Task WriteSummaryAsync(TextWriter output, UnitReportFeedSummary summary)
    {
        await output.WriteLineAsync($"received {summary.Received}, applied {summary.Applied}, rejected {summary.Rejected}");
        foreach (var rejection in summary.Rejections)
        {
            await output.WriteLineAsync($"  #{rejection.Index} {rejection.UnitId}: {rejection.Code} {rejection.Message}");
        }
    }

    /// <summary>Bulletins last days, so their times carry the date.</summary>
    public const string DateAndTime = "yyyy-MM-ddTHH:mm:sszzz";

    /// <summary>
    /// A bulletin on one line: id, state, level, kind, progress and the deadline that matters next,
    /// the headline last (free text, of any length).
    /// </summary>
    public static string Bulletin(Bulletin b) =>
        $"{b.Id} {b.State} {b.TlpLabel}{b.Status switch { BulletinStatus.Exercise => " EXERCISE", BulletinStatus.Test => " TEST", _ => "" }} {b.Kind}"
        + (b.References.Length > 0 ? $" {b.MessageType} of {b.References}" : "")
        + $", {b.Delivered}/{b.RecipientsTotal} delivered, {b.Acknowledged}/{b.RecipientsTotal} acknowledged"
        + (b.MissingAtDeadline > 0 ? $", {b.MissingAtDeadline} missing at deadline" : "")
        + (b.AcknowledgementRequired && b.State == BulletinState.Outstanding ? $", acknowledge by {Time(b.AcknowledgeBy, DateAndTime)}" : "")
        + (b.EndedAt is { } ended ? $", ended {Time(ended, DateAndTime)}" : $", expires {Time(b.Expires, DateAndTime)}")
        + $": {(b.TextErasedAt is null ? b.Headline : "(text erased)")}";

    /// <summary>A bulletin with everything the caller may see of it: its text, area, audience and each recipient's answer.</summary>
    public static async Task WriteBulletinAsync(TextWriter output, Bulletin b)
    {
        await output.WriteLineAsync(Bulletin(b));
        await output.WriteLineAsync($"  {b.TlpLabel}: {b.Handling}");
        await output.WriteLineAsync($"  {b.Urgency}/{b.Severity}/{b.Certainty}, issued {Time(b.IssuedAt, DateAndTime)} by {b.IssuedBy}"
            + (b.IncidentId.Length > 0 ? $", incident {b.IncidentId}" : ""));
        await output.WriteLineAsync($"  area: {Area(b.Area)}; audience: {Audience(b.Audience)}");
        foreach (var (label, text) in new[] { ("description", b.Description), ("instruction", b.Instruction) })
        {
            if (text.Length > 0)
            {
                // Indented like the line it belongs to, so a text of several lines stays inside its bulletin.
                await output.WriteLineAsync($"  {label}: {text.ReplaceLineEndings(Environment.NewLine + "    ")}");
            }
        }

        if (b.Chain.Count > 1)
        {
            await output.WriteLineAsync($"  chain: {string.Join(" > ", b.Chain)}");
        }

        if (b.SupersededBy.Length > 0)
        {
            await output.WriteLineAsync($"  followed by {b.SupersededBy}");
        }

        if (b.TextErasedAt is { } erased)
        {
            await output.WriteLineAsync($"  text erased {Time(erased, DateAndTime)}");
        }

        foreach (var r in b.Recipients)
        {
            await output.WriteLineAsync(Recipient(r));
        }
    }

    /// <summary>One recipient company: delivery, its answer, and whether it was missing at the deadline.</summary>
    public static string Recipient(BulletinRecipient r) =>
        $"  {(r.CompanyId.Length > 0 ? r.CompanyId : "(company)"),-20} "
        + (r.DeliveredAt is { } delivered ? $"delivered {Time(delivered, DateAndTime)}" : "not delivered yet")
        + (r.Acknowledgement switch
        {
            AcknowledgementKind.Unspecified => ", not acknowledged",
            AcknowledgementKind.Relayed => $", Relayed to {r.RelayedUnits} units {Time(r.AcknowledgedAt, DateAndTime)}",
            var kind => $", {kind} {Time(r.AcknowledgedAt, DateAndTime)}",
        })
        + (r.AcknowledgementText.Length > 0 ? $" \"{r.AcknowledgementText}\"" : "")
        + (r.MissingAtDeadline ? ", MISSING at deadline" : "")
        + (r.ResentAt is { } resent ? $", resent {Time(resent, DateAndTime)}" : "");

    private static string Area(BulletinArea area) =>
        area.Districts.Count > 0 ? $"districts {string.Join(",", area.Districts)}"
        : area.Circle is { } c ? string.Create(CultureInfo.InvariantCulture, $"{c.RadiusKm:0.###} km around {c.Centre.Latitude:0.#####},{c.Centre.Longitude:0.#####}")
        : $"polygon of {area.Polygon.Count} points";

    private static string Audience(BulletinAudience audience) =>
        audience.Kind switch
        {
            BulletinAudienceKind.NamedCompanies => $"companies {string.Join(",", audience.Companies)}",
            BulletinAudienceKind.Capability => $"companies with {audience.Capability} in the area",
            _ => "every company in the area",
        }
        + (audience.OnDutyOnly ? ", units on duty only" : "");

    public static GeoPoint? Position(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new GeoPoint { Latitude = lat, Longitude = lon } : null;
}
