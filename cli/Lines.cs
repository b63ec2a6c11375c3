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

    public static GeoPoint? Position(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new GeoPoint { Latitude = lat, Longitude = lon } : null;
}
