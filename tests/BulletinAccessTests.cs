using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.BulletinBuilders;

namespace Coordination.Tests;

/// <summary>
/// TLP over the real API: per level, who can read a bulletin, export it and receive it on a stream.
/// A CAP export leaves the system: AMBER+STRICT and RED ones go only to the recipient companies.
/// The bulletin is issued by Oslo for an area in Innlandet, to one named company; the expectations
/// are written out per level here (README, "Bulletins"), not computed from the rule under test.
/// </summary>
[Collection(BulletinNodeCollection.Name)]
public sealed class BulletinAccessTests(BulletinNodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    // Every TLP 2.0 level the system knows.
    public static TheoryData<Tlp> Levels => new() { Tlp.Clear, Tlp.Green, Tlp.Amber, Tlp.AmberStrict, Tlp.Red };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Each_level_is_read_exported_and_streamed_by_exactly_the_roles_it_names(Tlp level)
    {
        var (recipient, other) = (Ids.Company("tlp-to"), Ids.Company("tlp-other"));
        await Node.Company.RegisterUnitsAsync(Register(recipient, UnitAt("t1", 2, "vest", 60.39, 5.32, "patrol")));
        await Node.Company.RegisterUnitsAsync(Register(other, UnitAt("o1", 2, "vest", 60.39, 5.32, "patrol")));
        using var recipientStream = fixture.Bulletins(Node.Tokens.Company(recipient)).WatchBulletins(new WatchBulletinsRequest());

        var local = $"{level.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..24];
        var request = WantedVehicle(local, level);
        request.Area = new BulletinArea { Districts = { "innlandet" } };
        request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { recipient } };
        await fixture.Bulletins(Node.Tokens.Police("oslo")).IssueBulletinAsync(request);
        var id = $"oslo.{local}";

        var upToAmber = level <= Tlp.Amber;
        var upToGreen = level <= Tlp.Green;
        var expected = new (string Who, string Token, bool May)[]
        {
            ("issuing police (oslo)", Node.Tokens.Police("oslo"), true),
            ("national police", Node.Tokens.NationalPolice(), true),
            ("police where the area lies (innlandet)", Node.Tokens.Police("innlandet"), upToAmber),
            ("police elsewhere (vest)", Node.Tokens.Police("vest"), upToGreen),
            ("wall screen of the issuing district", Node.Tokens.Viewer("oslo"), upToGreen),
            ("wall screen where the area lies", Node.Tokens.Viewer("innlandet"), upToGreen),
            ("wall screen elsewhere (vest)", Node.Tokens.Viewer("vest"), false),
            ("the recipient company", Node.Tokens.Company(recipient), true),
            ("another company", Node.Tokens.Company(other), false),
        };

        foreach (var (who, token, may) in expected)
        {
            var client = fixture.Bulletins(token);
            Assert.Equal((who, may ? StatusCode.OK : StatusCode.PermissionDenied), (who, await Code(() => client.GetBulletinAsync(new GetBulletinRequest { BulletinId = id }).ResponseAsync)));
            var mayExport = may && (level <= Tlp.Amber || who == "the recipient company");
            Assert.Equal((who, mayExport ? StatusCode.OK : StatusCode.PermissionDenied), (who, await Code(() => client.ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = id }).ResponseAsync)));
        }

        // Lists leave out what the caller may not read; a company's list and stream hold only what was addressed to it.
        var vestPolice = await fixture.Bulletins(Node.Tokens.Police("vest")).ListBulletinsAsync(new ListBulletinsRequest { DistrictId = "oslo" });
        Assert.Equal(upToGreen, vestPolice.Bulletins.Any(b => b.Id == id));
        Assert.Contains((await fixture.Bulletins(Node.Tokens.Company(recipient)).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins, b => b.Id == id);
        Assert.DoesNotContain((await fixture.Bulletins(Node.Tokens.Company(other)).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins, b => b.Id == id);
        var streamed = await Next(recipientStream);
        Assert.Equal((BulletinEvent.Types.Kind.Issued, id, level), (streamed.Kind, streamed.Bulletin.Id, streamed.Bulletin.Tlp));
        Assert.Equal(level != Tlp.Red, streamed.Bulletin.MayRelayToGuards);

        // A company sees its own delivery line only, never who else was told.
        Assert.Equal([recipient], streamed.Bulletin.Recipients.Select(r => r.CompanyId));

        // RED stays in the control room: an acknowledgement that it was relayed to guards is refused.
        var relayed = await Code(() => fixture.Bulletins(Node.Tokens.Company(recipient)).AcknowledgeBulletinAsync(
            new AcknowledgeBulletinRequest { BulletinId = id, Acknowledgement = AcknowledgementKind.Relayed, RelayedUnits = 3 }).ResponseAsync);
        Assert.Equal(level == Tlp.Red ? StatusCode.FailedPrecondition : StatusCode.OK, relayed);
    }

    [Fact]
    public async Task Only_police_of_the_district_issue_there_and_only_recipients_acknowledge()
    {
        var company = Ids.Company("tlp-ack");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("k1", 2, "vest", 60.39, 5.32, "patrol")));
        var request = WantedVehicle($"{Guid.NewGuid():N}"[..12], Tlp.Green);
        request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };

        Assert.Equal(StatusCode.PermissionDenied, await Code(() => fixture.Bulletins(Node.Tokens.Police("vest")).IssueBulletinAsync(request).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => fixture.Bulletins(Node.Tokens.Company(company)).IssueBulletinAsync(request).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => fixture.Bulletins(Node.Tokens.Viewer("oslo")).IssueBulletinAsync(request).ResponseAsync));
        var issued = await fixture.Bulletins(Node.Tokens.NationalPolice()).IssueBulletinAsync(request);

        var ack = new AcknowledgeBulletinRequest { BulletinId = issued.Id, Acknowledgement = AcknowledgementKind.Received };
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => fixture.Bulletins(Node.Tokens.Company(Ids.Company("stranger"))).AcknowledgeBulletinAsync(ack).ResponseAsync));
        Assert.Equal(StatusCode.PermissionDenied, await Code(() => fixture.Bulletins(Node.Tokens.Police("oslo")).AcknowledgeBulletinAsync(ack).ResponseAsync));
        Assert.Equal(StatusCode.OK, await Code(() => fixture.Bulletins(Node.Tokens.Company(company)).AcknowledgeBulletinAsync(ack).ResponseAsync));
    }

    private static async Task<StatusCode> Code<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
