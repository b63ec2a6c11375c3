using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>Which dashboards show an open observation's line, and with its id: the line's own rule, without a cluster.</summary>
public sealed class ObservationLineAccessTests
{
    // Reported by a guard in Oslo and routed there.
    private static readonly ObservationLine Line = new(
        "nordvakt/obs-1", Version: 1, ObservationStage.New, NeedsPoliceNow: true, ReportedAt: DateTimeOffset.UtcNow, SeenAt: DateTimeOffset.UtcNow.AddMinutes(-3),
        "suspicious-person", new GeoPoint(59.9139, 10.7522), "nordvakt", "oslo", IncidentId: null, TextErased: false);

    [Theory]
    [InlineData(CallerRole.Police, "oslo", true, true)]
    [InlineData(CallerRole.Police, "national", true, true)]
    [InlineData(CallerRole.Police, "vest", false, false)]
    [InlineData(CallerRole.Viewer, "oslo", true, false)]
    [InlineData(CallerRole.Viewer, "vest", false, false)]
    [InlineData(CallerRole.Viewer, "national", false, false)]
    [InlineData(CallerRole.Company, "nordvakt", false, false)]
    public void A_district_dashboard_shows_a_line_to_the_districts_police_and_wall_screens_and_its_id_to_the_police_only(CallerRole role, string scope, bool shown, bool withId)
    {
        var caller = role switch
        {
            CallerRole.Company => new Caller("control-room", role, [], National: false, CompanyId: scope),
            _ when scope == "national" => new Caller("dashboard", role, [], National: true, CompanyId: null),
            _ => new Caller("dashboard", role, [scope], National: false, CompanyId: null),
        };

        Assert.Equal((shown, withId), (Line.ShownTo(caller), Line.IdShownTo(caller)));
    }
}
