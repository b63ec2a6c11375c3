using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>Which dashboards show a bulletin's board line: the bulletin's own TLP rule, without a cluster.</summary>
public sealed class BulletinLineAccessTests
{
    // Issued by Oslo for an area that reaches into Øst.
    private static BulletinSummary Line(Tlp tlp) => new(
        "oslo.b1", "wanted-person", "Grey Volvo V70 sought", tlp, BulletinStatus.Actual, BulletinArea.OfDistricts("oslo", "ost"),
        BulletinState.Outstanding, Recipients: 3, Delivered: 3, Acknowledged: 1, MissingAtDeadline: 0, AcknowledgementRequired: true,
        AcknowledgeBy: null, Expires: DateTimeOffset.UtcNow.AddHours(1), AreaDistricts: ["oslo", "ost"]);

    [Theory]
    [InlineData(CallerRole.Viewer, "oslo", Tlp.Green, true)]
    [InlineData(CallerRole.Viewer, "oslo", Tlp.Amber, false)]
    [InlineData(CallerRole.Viewer, "ost", Tlp.Clear, true)]
    [InlineData(CallerRole.Viewer, "vest", Tlp.Green, false)]
    [InlineData(CallerRole.Viewer, null, Tlp.Green, true)]
    [InlineData(CallerRole.Viewer, null, Tlp.Amber, false)]
    [InlineData(CallerRole.Police, "oslo", Tlp.Red, true)]
    [InlineData(CallerRole.Police, null, Tlp.Red, true)]
    [InlineData(CallerRole.Police, "ost", Tlp.Amber, true)]
    [InlineData(CallerRole.Police, "ost", Tlp.AmberStrict, false)]
    [InlineData(CallerRole.Police, "vest", Tlp.Green, true)]
    [InlineData(CallerRole.Police, "vest", Tlp.Amber, false)]
    public void A_dashboard_shows_a_line_only_as_far_as_the_bulletins_level_reaches_its_caller(CallerRole role, string? district, Tlp tlp, bool shown)
    {
        // No district means a national token.
        var caller = new Caller("dashboard", role, district is null ? [] : [district], National: district is null, CompanyId: null);
        Assert.Equal(shown, Line(tlp).ShownTo(caller));
    }
}
