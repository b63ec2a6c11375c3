using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.BulletinBuilders;

namespace Coordination.Tests;

/// <summary>Bad bulletins are refused with the field named and leave nothing behind; free text goes after its retention time.</summary>
[Collection(BulletinNodeCollection.Name)]
public sealed class BulletinInputTests(BulletinNodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    public static TheoryData<string, StatusCode, string?> Cases => new()
    {
        { "empty headline", StatusCode.InvalidArgument, "headline" },
        { "area outside Norway", StatusCode.InvalidArgument, "area.circle.centre" },
        { "expiry in the past", StatusCode.InvalidArgument, "expires" },
        { "unknown company", StatusCode.InvalidArgument, "audience.companies[1]" },
        { "unknown capability", StatusCode.InvalidArgument, "audience.capability" },
        { "polygon that does not close", StatusCode.InvalidArgument, "area.polygon" },
        { "over-long description", StatusCode.InvalidArgument, "description" },
        { "forbidden task", StatusCode.InvalidArgument, "instruction" },
        { "acknowledge_by after expiry", StatusCode.InvalidArgument, "acknowledge_by" },
        { "no TLP level", StatusCode.InvalidArgument, "tlp" },
        { "update of a bulletin that does not exist", StatusCode.NotFound, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_precise_status_and_stores_nothing(string what, StatusCode code, string? field)
    {
        var known = Ids.Company("known");
        await Node.Company.RegisterUnitsAsync(Register(known, UnitAt("k1", 2, "vest", 60.39, 5.32, "patrol")));
        var local = $"bad-{Guid.NewGuid():N}"[..16];
        var request = WantedVehicle(local, centre: Tromso);
        request.DistrictId = "troms";
        switch (what)
        {
            case "empty headline": request.Headline = ""; break;
            case "area outside Norway": request.Area.Circle.Centre = new GeoPoint { Latitude = 55.68, Longitude = 12.57 }; break;
            case "expiry in the past": request.Expires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)); break;
            case "unknown company": request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { known, "nobody-registered-this" } }; break;
            case "unknown capability": request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.Capability, Capability = "flying" }; break;
            case "polygon that does not close":
                request.Area = new BulletinArea { Polygon = { new GeoPoint { Latitude = 69.6, Longitude = 18.9 }, new GeoPoint { Latitude = 69.7, Longitude = 18.9 }, new GeoPoint { Latitude = 69.7, Longitude = 19.0 }, new GeoPoint { Latitude = 69.6, Longitude = 19.0 } } };
                break;
            case "over-long description": request.Description = new string('x', 4_001); break;
            case "forbidden task": request.Instruction = "Stop the car and detain the driver until we arrive."; break;
            case "acknowledge_by after expiry":
                request.AcknowledgementRequired = true;
                request.AcknowledgeBy = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(3));
                break;
            case "no TLP level": request.Tlp = Tlp.Unspecified; break;
            case "update of a bulletin that does not exist":
                request.MessageType = BulletinMessageType.Update;
                request.References = "troms.never-issued";
                break;
        }

        var police = fixture.Bulletins(Node.Tokens.Police("troms"));
        var refused = await Assert.ThrowsAsync<RpcException>(() => police.IssueBulletinAsync(request).ResponseAsync);
        Assert.Equal((what, code), (what, refused.StatusCode));
        if (field is not null)
        {
            Assert.Equal((what, field), (what, refused.Field()));
        }

        if (what == "forbidden task")
        {
            // The legal reason comes with it, not just "invalid".
            Assert.Contains("not a lawful task for guards", refused.Status.Detail);
        }

        // Nothing stored: the id is unknown, the district does not list it, and the company's feed is empty.
        var read = await Assert.ThrowsAsync<RpcException>(() => police.GetBulletinAsync(new GetBulletinRequest { BulletinId = $"troms.{local}" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var listed = await police.ListBulletinsAsync(new ListBulletinsRequest { DistrictId = "troms", IncludeEnded = true });
        Assert.DoesNotContain(listed.Bulletins, b => b.Id == $"troms.{local}");
        Assert.Empty((await fixture.Bulletins(Node.Tokens.Company(known)).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins);

        // The same id then works: the refusal did not take it.
        var fine = WantedVehicle(local, centre: Tromso);
        fine.DistrictId = "troms";
        Assert.Equal($"troms.{local}", (await police.IssueBulletinAsync(fine)).Id);
    }

    [Fact]
    public async Task A_retry_takes_effect_once_and_the_same_id_with_other_content_is_refused()
    {
        var company = Ids.Company("retry");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("r1", 2, "vest", 60.39, 5.32, "patrol")));
        var request = WantedVehicle($"{Guid.NewGuid():N}"[..12], Tlp.Green);
        request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };
        var police = fixture.Bulletins(Node.Tokens.Police("oslo"));
        var first = await police.IssueBulletinAsync(request);
        var again = await police.IssueBulletinAsync(request);
        Assert.Equal(first.IssuedAt, again.IssuedAt);

        using var stream = fixture.Bulletins(Node.Tokens.Company(company)).WatchBulletins(new WatchBulletinsRequest());
        var only = await Next(stream);
        Assert.Equal((BulletinEvent.Types.Kind.Outstanding, first.Id), (only.Kind, only.Bulletin.Id));
        Assert.Single((await fixture.Bulletins(Node.Tokens.Company(company)).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins);

        request.Headline = "Something else entirely";
        var clash = await Assert.ThrowsAsync<RpcException>(() => police.IssueBulletinAsync(request).ResponseAsync);
        Assert.Equal((StatusCode.AlreadyExists, "bulletin_id"), (clash.StatusCode, clash.Field()));
    }

    [Fact]
    public async Task Free_text_is_erased_from_the_stored_rows_after_its_retention_while_acknowledgements_and_the_audit_chain_remain()
    {
        var company = Ids.Company("erase");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("e1", 2, "vest", 60.39, 5.32, "patrol")));
        var marker = $"Kari-{Guid.NewGuid():N}";
        var request = WantedVehicle($"{Guid.NewGuid():N}"[..12], Tlp.Amber);
        request.Kind = "missing-person";
        request.Headline = $"Missing: {marker}, 14, last seen at Oslo S";
        request.Description = $"{marker} wears a green jacket and a grey backpack.";
        request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };
        var police = fixture.Bulletins(Node.Tokens.Police("oslo"));
        var issued = await police.IssueBulletinAsync(request);
        await fixture.Bulletins(Node.Tokens.Company(company)).AcknowledgeBulletinAsync(
            new AcknowledgeBulletinRequest { BulletinId = issued.Id, Acknowledgement = AcknowledgementKind.CannotAct, Text = $"No guard near where {marker} was seen" });
        Assert.True(StoredRowsContain(marker), "the test must see the text in the stored rows before it is erased");

        var allClear = WantedVehicle($"{issued.Id["oslo.".Length..]}-found", Tlp.Amber);
        allClear.MessageType = BulletinMessageType.AllClear;
        allClear.References = issued.Id;
        allClear.Kind = "missing-person";
        allClear.Headline = $"{marker} found safe";
        allClear.Audience = request.Audience;
        await police.IssueBulletinAsync(allClear);

        Assert.True(await Eventually.Holds(async () =>
        {
            var both = await Task.WhenAll(police.GetBulletinAsync(new GetBulletinRequest { BulletinId = issued.Id }).ResponseAsync, police.GetBulletinAsync(new GetBulletinRequest { BulletinId = $"{issued.Id}-found" }).ResponseAsync);
            return both.All(b => b.TextErasedAt is not null);
        }, TimeSpan.FromSeconds(30)), "the text was not erased after its retention time");

        // Gone from the stored rows, not just from the API; what remains is the metadata, the answer and the hash.
        Assert.False(StoredRowsContain(marker), "the stored rows still hold the bulletin's free text");
        var after = await police.GetBulletinAsync(new GetBulletinRequest { BulletinId = issued.Id });
        Assert.Equal(("", "", BulletinState.AllClear, issued.ContentSha256), (after.Headline, after.Description, after.State, after.ContentSha256));
        var line = after.Recipients.Single();
        Assert.Equal((AcknowledgementKind.CannotAct, ""), (line.Acknowledgement, line.AcknowledgementText));
        var export = await Assert.ThrowsAsync<RpcException>(() => police.ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = issued.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, export.StatusCode);

        // The audit chain still verifies and keeps the text's hash with the issue's outcome.
        var (code, output) = await Stored.VerifyAudit();
        Assert.True(code == 0, output);
        Assert.False(AuditContains(marker), "the audit log holds the bulletin's text");
        Assert.True(AuditContains(issued.ContentSha256), "the audit log does not hold the text's hash");
    }

    private StoredRows Stored => new(Node.DataDirectory);

    private bool StoredRowsContain(string text) => Stored.GrainStateContains(text);

    private bool AuditContains(string text) => Stored.AuditContains(text);
}
