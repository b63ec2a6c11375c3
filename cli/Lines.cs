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

    /// <summary>How much of an observation's text a line shows.</summary>
    private const int Excerpt = 60;

    /// <summary>
    /// An observation on one line: id, stage, the urgent mark, category, how long ago it was seen, the
    /// district it went to, its photos and the incident it is on, and the start of the text last.
    /// </summary>
    public static string Observation(Observation o, DateTimeOffset now) =>
        $"{o.Id} {o.Stage}{(o.NeedsPoliceNow ? " URGENT" : "")} {o.Category}, seen {Age(now - o.SeenAt.ToDateTimeOffset())} ago, {o.DistrictId}"
        + $", {o.Photos.Count} {(o.Photos.Count == 1 ? "photo" : "photos")}"
        + (o.IncidentId.Length > 0 ? $", incident {o.IncidentId}" : "")
        + $": {(o.TextErasedAt is not null ? "(text erased)" : Shorten(o.Text))}";

    /// <summary>An observation with everything the caller may see of it: where and when, its whole text, each triage step and each photo's hash.</summary>
    public static async Task WriteObservationAsync(TextWriter output, Observation o, DateTimeOffset now)
    {
        await output.WriteLineAsync(Observation(o, now));
        await output.WriteLineAsync($"  unit {o.CompanyId}/{o.UnitId}, seen {Time(o.SeenAt, DateAndTime)} at {Point(o.Position)}, reported {Time(o.ReportedAt, DateAndTime)} by {o.ReportedBy}");
        var routedBy = o.RoutedBy switch
        {
            ObservationRouting.Bulletin => $"the bulletin it answers, {o.AnswersBulletinId}",
            ObservationRouting.Incident => $"the incident it names, {o.IncidentId}",
            _ => "its position",
        };
        await output.WriteLineAsync($"  routed to {o.DistrictId} by {routedBy}"
            + (o.AnswersBulletinId.Length > 0 && o.RoutedBy != ObservationRouting.Bulletin ? $"; answers bulletin {o.AnswersBulletinId}" : ""));
        await output.WriteLineAsync(o.TextErasedAt is { } erased
            ? $"  text erased {Time(erased, DateAndTime)}"
            : $"  text: {o.Text.ReplaceLineEndings(Environment.NewLine + "    ")}");
        await output.WriteLineAsync($"  text sha256 {o.ContentSha256}");
        foreach (var step in o.Steps)
        {
            await output.WriteLineAsync($"  {step.Stage,-9} {Time(step.At, DateAndTime)} by {step.Actor}{(step.Message.Length > 0 ? $": {step.Message.ReplaceLineEndings(" ")}" : "")}");
        }

        foreach (var photo in o.Photos)
        {
            await output.WriteLineAsync($"  photo {photo.Index}: {photo.ContentType}, {photo.SizeBytes} bytes, sha256 {photo.Sha256}");
        }
    }

    /// <summary>An observation stream's event: its sequence number, what happened, the observation's line, and the latest answer from the police.</summary>
    public static string ObservationEvent(ObservationEvent e, DateTimeOffset now) =>
        $"{e.Sequence,6} {e.Kind,-8} {Observation(e.Observation, now)}"
        + (e.Observation.Steps.LastOrDefault() is { Message.Length: > 0 } step ? $" | {step.Stage} by {step.Actor}: {step.Message.ReplaceLineEndings(" ")}" : "");

    /// <summary>How long ago, to the unit that matters: 45s, 12m, 3h05m, 2d04h.</summary>
    public static string Age(TimeSpan age) =>
        age < TimeSpan.Zero ? "0s"
        : age < TimeSpan.FromMinutes(1) ? $"{(int)age.TotalSeconds}s"
        : age < TimeSpan.FromHours(1) ? $"{(int)age.TotalMinutes}m"
        : age < TimeSpan.FromDays(1) ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h{age.Minutes:00}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d{age.Hours:00}h");

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= Excerpt ? line : line[..(Excerpt - 1)].TrimEnd() + "…";
    }

    private static string Point(GeoPoint? p) =>
        p is null ? "(no position)" : string.Create(CultureInfo.InvariantCulture, $"{p.Latitude:0.#####},{p.Longitude:0.#####}");

    public static GeoPoint? Position(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new GeoPoint { Latitude = lat, Longitude = lon } : null;
}
