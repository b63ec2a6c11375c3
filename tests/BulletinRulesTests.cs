using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>A bulletin's input rules, each at its boundary, without a cluster.</summary>
public sealed class BulletinRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly GeoPoint OsloS = new(59.9111, 10.7528);

    internal static IssueBulletin WantedVehicle(string id = "b1", BulletinArea? area = null, Tlp tlp = Tlp.Amber) => new(
        id, "oslo", BulletinMessage.Alert, null, "wanted-vehicle", "Grey Volvo V70, AB 12345, sought",
        "Seen leaving Oslo S southbound after a robbery.", "Report sightings to Oslo police at once.",
        BulletinUrgency.Immediate, BulletinSeverity.Severe, BulletinCertainty.Observed, BulletinStatus.Actual,
        area ?? BulletinArea.OfCircle(OsloS, 2), new BulletinAudience(AudienceKind.AllInArea, [], null, OnDutyOnly: true),
        tlp, Now.AddHours(6), AcknowledgementRequired: true, Now.AddMinutes(5), null, "police:oslo");

    [Fact]
    public void A_valid_bulletin_passes_and_a_wanted_vehicle_gets_the_observe_and_report_reminder()
    {
        var checkedBulletin = BulletinRules.Check(WantedVehicle(), Now);
        Assert.EndsWith(BulletinRules.ObserveAndReport, checkedBulletin.Instruction);
        Assert.StartsWith("Report sightings", checkedBulletin.Instruction);

        // Applied twice (a retry), the reminder is there once.
        Assert.Equal(checkedBulletin.Instruction, BulletinRules.Check(checkedBulletin, Now).Instruction);
    }

    [Fact]
    public void Kinds_that_are_not_about_people_sought_get_no_reminder()
    {
        var warning = BulletinRules.Check(WantedVehicle() with { Kind = "area-warning", Instruction = "Keep guards away from the harbour." }, Now);
        Assert.Equal("Keep guards away from the harbour.", warning.Instruction);
    }

    [Theory]
    [InlineData("Detain the driver until police arrive.", "Detention")]
    [InlineData("Arrest anyone in the vehicle.", "Arrest")]
    [InlineData("Search the car if it is parked.", "Search of persons or property")]
    [InlineData("Stop the vehicle at the gate.", "Traffic enforcement")]
    [InlineData("Pågrip sjåføren.", "Arrest")]
    public void An_instruction_to_do_what_guards_may_not_is_refused_naming_the_field_and_the_legal_reason(string instruction, string task)
    {
        var error = Assert.Throws<CoordinationException>(() => BulletinRules.Check(WantedVehicle() with { Instruction = instruction }, Now));
        Assert.Equal(ErrorKind.InvalidArgument, error.Code);
        Assert.Equal("instruction", error.Field);
        Assert.Contains($"'{task}' is not a lawful task for guards", error.Message);
        Assert.Contains(ReferenceData.Current.ForbiddenTasks.Single(t => t.Name == task).Reason, error.Message);
    }

    [Theory]
    [InlineData("Do not detain or approach the driver.")]
    [InlineData("Never try to arrest anyone; call 112.")]
    [InlineData("Ikke pågrip, bare observer.")]
    public void A_warning_against_a_forbidden_task_is_not_an_instruction_to_do_it(string instruction) =>
        Assert.NotNull(BulletinRules.Check(WantedVehicle() with { Instruction = instruction }, Now).Instruction);

    public static TheoryData<string, Func<IssueBulletin, IssueBulletin>> BadInput => new()
    {
        { "headline", b => b with { Headline = " " } },
        { "headline", b => b with { Headline = new string('x', BulletinRules.MaxHeadline + 1) } },
        { "description", b => b with { Description = new string('x', BulletinRules.MaxDescription + 1) } },
        { "instruction", b => b with { Instruction = new string('x', BulletinRules.MaxInstruction + 1) } },
        { "kind", b => b with { Kind = "rumour" } },
        { "expires", b => b with { Expires = Now } },
        { "expires", b => b with { Expires = Now + BulletinRules.MaxLifetime + TimeSpan.FromSeconds(1) } },
        { "acknowledge_by", b => b with { AcknowledgeBy = Now } },
        { "acknowledge_by", b => b with { AcknowledgeBy = b.Expires.AddSeconds(1) } },
        { "acknowledge_by", b => b with { AcknowledgementRequired = false } },
        { "area.circle.centre", b => b with { Area = BulletinArea.OfCircle(new GeoPoint(55.68, 12.57), 2) } },
        { "area.circle.radius_km", b => b with { Area = BulletinArea.OfCircle(OsloS, 0) } },
        { "area.circle.radius_km", b => b with { Area = BulletinArea.OfCircle(OsloS, BulletinRules.MaxRadiusKm + 0.1) } },
        { "area.polygon", b => b with { Area = BulletinArea.OfPolygon(new(59.9, 10.7), new(59.95, 10.7), new(59.95, 10.8), new(59.9, 10.8)) } },
        { "area.polygon", b => b with { Area = BulletinArea.OfPolygon(new(59.9, 10.7), new(59.95, 10.7), new(59.9, 10.7)) } },
        { "area.polygon[1]", b => b with { Area = BulletinArea.OfPolygon(new(59.9, 10.7), new(40, 10.7), new(59.95, 10.8), new(59.9, 10.7)) } },
        { "area.districts[1]", b => b with { Area = BulletinArea.OfDistricts("oslo", "gotham") } },
        { "area", b => b with { Area = new BulletinArea(["oslo"], new Circle(OsloS, 2), []) } },
        { "area", b => b with { Area = new BulletinArea([], null, []) } },
        { "audience.companies", b => b with { Audience = new BulletinAudience(AudienceKind.NamedCompanies, [], null, false) } },
        { "audience.companies[0]", b => b with { Audience = new BulletinAudience(AudienceKind.NamedCompanies, ["no spaces"], null, false) } },
        { "audience.capability", b => b with { Audience = new BulletinAudience(AudienceKind.Capability, [], "arrest", false) } },
        { "audience.capability", b => b with { Audience = new BulletinAudience(AudienceKind.Capability, [], "flying", false) } },
        { "references", b => b with { References = "oslo.b0" } },
        { "references", b => b with { Message = BulletinMessage.Update } },
        { "references", b => b with { Message = BulletinMessage.Update, References = "vest.b0" } },
        { "references", b => b with { Message = BulletinMessage.Cancel, References = "b0" } },
        { "references", b => b with { Message = BulletinMessage.Update, References = $"oslo.{b.BulletinId}" } },
        { "tlp", b => b with { Tlp = (Tlp)9 } },
        { "urgency", b => b with { Urgency = 0 } },
        { "bulletin_id", b => b with { BulletinId = "" } },
        { "district_id", b => b with { District = "gotham" } },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_refused_naming_the_field(string field, Func<IssueBulletin, IssueBulletin> spoil)
    {
        var error = Assert.Throws<CoordinationException>(() => BulletinRules.Check(spoil(WantedVehicle()), Now));
        Assert.Equal(ErrorKind.InvalidArgument, error.Code);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Boundaries_that_are_allowed()
    {
        BulletinRules.Check(WantedVehicle() with { Headline = new string('x', BulletinRules.MaxHeadline) }, Now);
        BulletinRules.Check(WantedVehicle() with { Expires = Now + BulletinRules.MaxLifetime, AcknowledgeBy = Now + BulletinRules.MaxLifetime }, Now);
        BulletinRules.Check(WantedVehicle() with { Area = BulletinArea.OfCircle(OsloS, BulletinRules.MinRadiusKm) }, Now);
        BulletinRules.Check(WantedVehicle() with { Area = BulletinArea.OfPolygon(new(59.9, 10.7), new(59.95, 10.7), new(59.95, 10.8), new(59.9, 10.7)) }, Now);
        BulletinRules.Check(WantedVehicle() with { Message = BulletinMessage.AllClear, References = "oslo.b0" }, Now);
        BulletinRules.Check(WantedVehicle() with { AcknowledgementRequired = false, AcknowledgeBy = null }, Now);
    }

    [Fact]
    public void An_area_holds_units_by_circle_polygon_or_home_district()
    {
        var circle = BulletinArea.OfCircle(OsloS, 1);
        Assert.True(circle.Contains(new GeoPoint(59.915, 10.75), "ost"));
        Assert.False(circle.Contains(new GeoPoint(59.95, 10.75), "oslo"));
        Assert.False(circle.Contains(null, "oslo"));

        var square = BulletinArea.OfPolygon(new(59.9, 10.7), new(59.95, 10.7), new(59.95, 10.8), new(59.9, 10.8), new(59.9, 10.7));
        Assert.True(square.Contains(new GeoPoint(59.92, 10.75), "oslo"));
        Assert.False(square.Contains(new GeoPoint(59.96, 10.75), "oslo"));

        Assert.True(BulletinArea.OfDistricts("oslo").Contains(null, "oslo"));
        Assert.False(BulletinArea.OfDistricts("oslo").Contains(OsloS, "ost"));
    }

    [Theory]
    [InlineData(Tlp.Clear, true, true, true, true, true)]
    [InlineData(Tlp.Green, true, true, true, true, true)]
    [InlineData(Tlp.Amber, true, true, false, true, false)]
    [InlineData(Tlp.AmberStrict, true, false, false, true, false)]
    [InlineData(Tlp.Red, true, false, false, true, false)]
    public void Tlp_decides_who_may_read_stream_and_export(Tlp tlp, bool issuer, bool policeInArea, bool otherPolice, bool recipient, bool viewer)
    {
        string[] area = ["oslo", "ost"];
        Assert.Equal(issuer, BulletinAccess.MayRead(new Caller("oslo-1", CallerRole.Police, ["oslo"], false, null), "oslo", area, tlp, false));
        Assert.True(BulletinAccess.MayRead(new Caller("pod", CallerRole.Police, [], true, null), "oslo", area, tlp, false));
        Assert.Equal(policeInArea, BulletinAccess.MayRead(new Caller("ost-1", CallerRole.Police, ["ost"], false, null), "oslo", area, tlp, false));
        Assert.Equal(otherPolice, BulletinAccess.MayRead(new Caller("vest-1", CallerRole.Police, ["vest"], false, null), "oslo", area, tlp, false));
        Assert.Equal(recipient, BulletinAccess.MayRead(new Caller("c", CallerRole.Company, [], false, "nordvakt"), "oslo", area, tlp, true));
        Assert.False(BulletinAccess.MayRead(new Caller("c", CallerRole.Company, [], false, "sorvakt"), "oslo", area, tlp, false));
        Assert.Equal(viewer, BulletinAccess.MayRead(new Caller("wall", CallerRole.Viewer, ["oslo"], false, null), "oslo", area, tlp, false));
        Assert.False(BulletinAccess.MayRead(new Caller("wall", CallerRole.Viewer, ["vest"], false, null), "oslo", area, tlp, false));
        Assert.Equal(tlp != Tlp.Red, BulletinAccess.MayRelayToGuards(tlp));
    }
}
