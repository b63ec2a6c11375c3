using System.Xml;
using System.Xml.Linq;
using Coordination.Domain;
using static Coordination.Tests.BulletinRulesTests;

namespace Coordination.Tests;

/// <summary>Bulletins as CAP 1.2 alerts, checked by a real XML schema validator against the OASIS schema.</summary>
public sealed class CapAlertTests
{
    private static readonly DateTimeOffset Sent = new(2026, 12, 4, 12, 0, 0, TimeSpan.FromHours(1));
    private static readonly XNamespace Cap = CapAlert.Cap;

    public static TheoryData<string, IssueBulletin> Bulletins => new()
    {
        { "circle, AMBER, alert", BulletinRules.Check(WantedVehicle(), Sent) },
        { "polygon, RED, exercise", BulletinRules.Check(WantedVehicle("b2", BulletinArea.OfPolygon(new(59.9, 10.7), new(59.95, 10.7), new(59.95, 10.8), new(59.9, 10.7)), Tlp.Red) with { Status = BulletinStatus.Exercise }, Sent) },
        { "districts, CLEAR, test", BulletinRules.Check(WantedVehicle("b3", BulletinArea.OfDistricts("oslo", "ost"), Tlp.Clear) with { Status = BulletinStatus.Test, Kind = "area-warning" }, Sent) },
        { "update", BulletinRules.Check(WantedVehicle("b4") with { Message = BulletinMessage.Update, References = "oslo.b1" }, Sent) },
        { "cancel", BulletinRules.Check(WantedVehicle("b5") with { Message = BulletinMessage.Cancel, References = "oslo.b1" }, Sent) },
        { "all clear, AMBER+STRICT", BulletinRules.Check(WantedVehicle("b6", tlp: Tlp.AmberStrict) with { Message = BulletinMessage.AllClear, References = "oslo.b1", AcknowledgementRequired = false, AcknowledgeBy = null, IncidentId = "oslo.evac-1" }, Sent) },
    };

    [Theory]
    [MemberData(nameof(Bulletins))]
    public void Every_kind_of_bulletin_exports_as_a_valid_cap_alert(string what, IssueBulletin bulletin)
    {
        var references = bulletin.References is { } earlier ? [new CapAlert.Reference("oslo", BulletinIds.Local(earlier), Sent.AddMinutes(-30))] : Array.Empty<CapAlert.Reference>();
        var document = CapAlert.Write(bulletin, Sent, references, ["nordvakt", "sorvakt"]);

        var errors = CapSchema.Errors(document);
        Assert.True(errors.Count == 0, $"{what}: {string.Join("; ", errors)}\n{document}");
    }

    [Fact]
    public void The_alert_carries_what_the_bulletin_says()
    {
        var amber = CapAlert.Write(BulletinRules.Check(WantedVehicle(), Sent), Sent, [], ["nordvakt"]).Root!;
        Assert.Equal("Restricted", amber.Element(Cap + "scope")!.Value);
        Assert.StartsWith("TLP:AMBER:", amber.Element(Cap + "restriction")!.Value);
        Assert.Null(amber.Element(Cap + "addresses"));
        Assert.Equal("2026-12-04T11:00:00+00:00", amber.Element(Cap + "sent")!.Value);
        var info = amber.Element(Cap + "info")!;
        Assert.Equal("59.9111,10.7528 2", info.Element(Cap + "area")!.Element(Cap + "circle")!.Value);
        Assert.Contains("do not intervene", info.Element(Cap + "instruction")!.Value);
        Assert.Equal("Security", info.Element(Cap + "category")!.Value);

        var red = CapAlert.Write(BulletinRules.Check(WantedVehicle("b2", tlp: Tlp.Red) with { Status = BulletinStatus.Exercise }, Sent), Sent, [], ["nordvakt", "sorvakt"]).Root!;
        Assert.Equal("Private", red.Element(Cap + "scope")!.Value);
        Assert.Equal("company.nordvakt@coordination.politiet.no company.sorvakt@coordination.politiet.no", red.Element(Cap + "addresses")!.Value);
        Assert.Equal("Exercise", red.Element(Cap + "status")!.Value);
        Assert.Contains(red.Elements(Cap + "code"), c => c.Value == "TLP:RED");

        var allClear = CapAlert.Write(BulletinRules.Check(WantedVehicle("b3") with { Message = BulletinMessage.AllClear, References = "oslo.b1" }, Sent), Sent, [new("oslo", "b1", Sent.AddHours(-1))], []).Root!;
        Assert.Equal("Update", allClear.Element(Cap + "msgType")!.Value);
        Assert.Equal("AllClear", allClear.Element(Cap + "info")!.Element(Cap + "responseType")!.Value);
        Assert.Equal("police.oslo@coordination.politiet.no,no.politiet.coordination.oslo.b1,2026-12-04T10:00:00+00:00", allClear.Element(Cap + "references")!.Value);
    }

    [Fact]
    public void The_validator_rejects_an_alert_that_breaks_the_schema()
    {
        // The check above must be able to fail: a time with a fraction and "Z" is not CAP's form.
        var document = CapAlert.Write(BulletinRules.Check(WantedVehicle(), Sent), Sent, [], []);
        document.Root!.Element(Cap + "sent")!.Value = "2026-12-04T11:00:00.123Z";
        Assert.NotEmpty(CapSchema.Errors(document));
    }
}
