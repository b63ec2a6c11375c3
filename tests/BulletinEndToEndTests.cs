using System.Xml.Linq;
using Coordination.Api.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.BulletinBuilders;

namespace Coordination.Tests;

/// <summary>A bulletin's whole life over gRPC, as the police issue it and company control rooms receive and answer it.</summary>
[Collection(BulletinNodeCollection.Name)]
public sealed class BulletinEndToEndTests(BulletinNodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task An_amber_bulletin_reaches_the_companies_in_its_circle_is_acknowledged_resent_once_updated_and_given_the_all_clear()
    {
        // Two companies with units inside 2 km of Oslo S, one with units in Bergen only.
        var (alfa, bravo, bergen) = (Ids.Company("alfa"), Ids.Company("bravo"), Ids.Company("bergen"));
        await Registered(alfa, UnitAt("a1", 2, "oslo", 59.9130, 10.7540, "patrol"));
        await Registered(bravo, UnitAt("b1", 2, "oslo", 59.9050, 10.7600, "patrol"));
        await Registered(bergen, UnitAt("g1", 2, "vest", 60.3913, 5.3221, "patrol"));
        using var alfaStream = CompanyBulletins(alfa).WatchBulletins(new WatchBulletinsRequest());
        using var bravoStream = CompanyBulletins(bravo).WatchBulletins(new WatchBulletinsRequest());
        using var bergenStream = CompanyBulletins(bergen).WatchBulletins(new WatchBulletinsRequest());
        var bergenGot = Drain(bergenStream);

        var police = fixture.Bulletins(Node.Tokens.Police("oslo"));
        var id = $"oslo.{Guid.NewGuid():N}"[..21];
        var issued = await police.IssueBulletinAsync(WantedVehicle(id["oslo.".Length..], Tlp.Amber, acknowledgeWithin: TimeSpan.FromSeconds(4)));
        Assert.Equal(id, issued.Id);
        Assert.Equal([alfa, bravo], issued.Recipients.Select(r => r.CompanyId).Order());
        Assert.Contains("do not intervene", issued.Instruction);
        Assert.Equal("TLP:AMBER", issued.TlpLabel);
        Assert.Equal("police:oslo", issued.IssuedBy);

        // Both companies in the circle receive it on their streams.
        var alfaIssued = await Next(alfaStream);
        var bravoIssued = await Next(bravoStream);
        Assert.Equal((BulletinEvent.Types.Kind.Issued, id), (alfaIssued.Kind, alfaIssued.Bulletin.Id));
        Assert.Equal((BulletinEvent.Types.Kind.Issued, id), (bravoIssued.Kind, bravoIssued.Bulletin.Id));
        Assert.Equal([alfa], alfaIssued.Bulletin.Recipients.Select(r => r.CompanyId));

        // Alfa acknowledges; a repeat changes nothing.
        var acknowledged = await CompanyBulletins(alfa).AcknowledgeBulletinAsync(new AcknowledgeBulletinRequest { BulletinId = id, Acknowledgement = AcknowledgementKind.Relayed, RelayedUnits = 1 });
        var again = await CompanyBulletins(alfa).AcknowledgeBulletinAsync(new AcknowledgeBulletinRequest { BulletinId = id, Acknowledgement = AcknowledgementKind.Relayed, RelayedUnits = 1 });
        Assert.Equal(acknowledged.Recipients.Single().AcknowledgedAt, again.Recipients.Single().AcknowledgedAt);

        // At the deadline the police see one missing acknowledgement, and Bravo gets it once more.
        var resent = await Next(bravoStream);
        Assert.Equal((BulletinEvent.Types.Kind.Resent, id), (resent.Kind, resent.Bulletin.Id));
        var afterDeadline = await police.GetBulletinAsync(new GetBulletinRequest { BulletinId = id });
        Assert.Equal((2, 2, 1, 1), (afterDeadline.RecipientsTotal, afterDeadline.Delivered, afterDeadline.Acknowledged, afterDeadline.MissingAtDeadline));
        var bravoLine = afterDeadline.Recipients.Single(r => r.CompanyId == bravo);
        Assert.True(bravoLine.MissingAtDeadline && bravoLine.ResentAt is not null && bravoLine.DeliveredAt is not null);
        var alfaLine = afterDeadline.Recipients.Single(r => r.CompanyId == alfa);
        Assert.True(!alfaLine.MissingAtDeadline && alfaLine.ResentAt is null && alfaLine.AcknowledgedAt is not null);

        // The circle exports as CAP the schema accepts.
        var exported = XDocument.Parse((await police.ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = id })).Xml);
        Assert.Empty(CapSchema.Errors(exported));

        // An update, then the all clear, reach both; afterwards nothing is outstanding.
        var updateId = $"{id}-u";
        var update = WantedVehicle(updateId["oslo.".Length..], Tlp.Amber);
        update.MessageType = BulletinMessageType.Update;
        update.References = id;
        update.Headline = "Grey Volvo V70, AB 12345: last seen heading east on Schweigaards gate";
        Assert.Equal([id, updateId], (await police.IssueBulletinAsync(update)).Chain);
        var allClearId = $"{id}-c";
        var allClear = WantedVehicle(allClearId["oslo.".Length..], Tlp.Amber);
        allClear.MessageType = BulletinMessageType.AllClear;
        allClear.References = updateId;
        allClear.Headline = "Vehicle found; no further action";
        await police.IssueBulletinAsync(allClear);

        foreach (var stream in new[] { alfaStream, bravoStream })
        {
            var updated = await Next(stream);
            Assert.Equal((BulletinEvent.Types.Kind.Updated, updateId, id), (updated.Kind, updated.Bulletin.Id, updated.Bulletin.References));
            var ended = await Next(stream);
            Assert.Equal((BulletinEvent.Types.Kind.Ended, allClearId, BulletinState.AllClear), (ended.Kind, ended.Bulletin.Id, ended.Bulletin.State));
        }

        Assert.Empty((await CompanyBulletins(alfa).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins);
        Assert.Empty((await CompanyBulletins(bravo).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins);
        var listed = await police.ListBulletinsAsync(new ListBulletinsRequest { DistrictId = "oslo" });
        Assert.DoesNotContain(listed.Bulletins, b => b.Chain.Contains(id));
        var first = await police.GetBulletinAsync(new GetBulletinRequest { BulletinId = id });
        Assert.Equal((BulletinState.Updated, updateId), (first.State, first.SupersededBy));

        // The company with units only in Bergen heard nothing at all.
        bergenStream.Dispose();
        Assert.Empty(await bergenGot);
    }

    [Fact]
    public async Task A_company_that_reconnects_after_a_sequence_gets_the_rest_without_repeats()
    {
        var company = Ids.Company("resume");
        await Registered(company, UnitAt("r1", 2, "troms", 69.6500, 18.9570, "patrol"));
        var police = fixture.Bulletins(Node.Tokens.Police("troms"));
        var first = $"{Guid.NewGuid():N}"[..12];
        await police.IssueBulletinAsync(WantedVehicle(first, Tlp.Green, "troms", centre: Tromso));

        long seen;
        using (var stream = CompanyBulletins(company).WatchBulletins(new WatchBulletinsRequest()))
        {
            var outstanding = await Next(stream);
            Assert.Equal((BulletinEvent.Types.Kind.Outstanding, $"troms.{first}"), (outstanding.Kind, outstanding.Bulletin.Id));
            seen = outstanding.Sequence;
        }

        // While it is away: a second bulletin and the cancel of the first.
        var second = $"{Guid.NewGuid():N}"[..12];
        await police.IssueBulletinAsync(WantedVehicle(second, Tlp.Green, "troms", centre: Tromso));
        var cancel = WantedVehicle($"{first}-x", Tlp.Green, "troms", centre: Tromso);
        cancel.MessageType = BulletinMessageType.Cancel;
        cancel.References = $"troms.{first}";
        await police.IssueBulletinAsync(cancel);

        using var resumed = CompanyBulletins(company).WatchBulletins(new WatchBulletinsRequest { AfterSequence = seen });
        var a = await Next(resumed);
        var b = await Next(resumed);
        Assert.Equal((BulletinEvent.Types.Kind.Issued, $"troms.{second}", seen + 1, false), (a.Kind, a.Bulletin.Id, a.Sequence, a.Restarted));
        Assert.Equal((BulletinEvent.Types.Kind.Ended, $"troms.{first}-x", seen + 2), (b.Kind, b.Bulletin.Id, b.Sequence));

        // Nothing more is sent until something happens: then exactly that.
        var third = $"{Guid.NewGuid():N}"[..12];
        await police.IssueBulletinAsync(WantedVehicle(third, Tlp.Green, "troms", centre: Tromso));
        var c = await Next(resumed);
        Assert.Equal((BulletinEvent.Types.Kind.Issued, $"troms.{third}", seen + 3), (c.Kind, c.Bulletin.Id, c.Sequence));
        Assert.Equal([$"troms.{second}", $"troms.{third}"], (await CompanyBulletins(company).ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest())).Bulletins.Select(x => x.Id));
    }

    [Fact]
    public async Task A_stream_whose_feed_lost_its_watchers_still_gets_every_event_in_order()
    {
        var company = Ids.Company("gap");
        await Registered(company, UnitAt("g1", 2, "troms", 69.6500, 18.9570, "patrol"));
        var police = fixture.Bulletins(Node.Tokens.Police("troms"));
        Task Issue(string local)
        {
            var request = WantedVehicle(local, Tlp.Green, "troms", centre: Tromso);
            request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };
            return police.IssueBulletinAsync(request).ResponseAsync;
        }

        using var stream = CompanyBulletins(company).WatchBulletins(new WatchBulletinsRequest());
        var first = $"{Guid.NewGuid():N}"[..12];
        await Issue(first);
        var seen = await Next(stream);
        Assert.Equal($"troms.{first}", seen.Bulletin.Id);

        // The feed is deactivated (idle activations collected): its watchers, kept in memory, are gone,
        // so the next bulletin is recorded with nobody to tell. The stream's lease renewal finds it.
        var grains = Node.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var second = $"{Guid.NewGuid():N}"[..12];
        await Issue(second);
        using var timeout = new CancellationTokenSource(Coordination.Domain.ObserverLease.RenewEvery * 3);
        Assert.True(await stream.ResponseStream.MoveNext(timeout.Token), "the stream ended");
        Assert.Equal((BulletinEvent.Types.Kind.Issued, $"troms.{second}", seen.Sequence + 1), (stream.ResponseStream.Current.Kind, stream.ResponseStream.Current.Bulletin.Id, stream.ResponseStream.Current.Sequence));

        // And it is live again: the next one arrives as it happens, numbered on.
        var third = $"{Guid.NewGuid():N}"[..12];
        await Issue(third);
        var next = await Next(stream);
        Assert.Equal(($"troms.{third}", seen.Sequence + 2), (next.Bulletin.Id, next.Sequence));
    }

    [Fact]
    public async Task Every_bulletin_update_and_cancel_exports_as_cap_that_the_oasis_schema_accepts()
    {
        var company = Ids.Company("cap");
        // Named as the audience; its units are in Bergen, so the other bulletins' areas around Oslo S never reach it.
        await Registered(company, UnitAt("c1", 2, "vest", 60.3913, 5.3221, "patrol"));
        var police = fixture.Bulletins(Node.Tokens.Police("oslo"));
        var root = $"{Guid.NewGuid():N}"[..12];
        var polygon = WantedVehicle(root, Tlp.Red);
        polygon.Status = BulletinStatus.Exercise;
        polygon.Area = new BulletinArea { Polygon = { Point(59.90, 10.74), Point(59.92, 10.74), Point(59.92, 10.77), Point(59.90, 10.74) } };
        polygon.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };
        await police.IssueBulletinAsync(polygon);
        var update = WantedVehicle($"{root}-u", Tlp.Red);
        update.MessageType = BulletinMessageType.Update;
        update.References = $"oslo.{root}";
        update.Status = BulletinStatus.Exercise;
        await police.IssueBulletinAsync(update);
        var cancel = WantedVehicle($"{root}-x", Tlp.Red);
        cancel.MessageType = BulletinMessageType.Cancel;
        cancel.References = $"oslo.{root}-u";
        cancel.Status = BulletinStatus.Exercise;
        await police.IssueBulletinAsync(cancel);
        var districts = WantedVehicle($"{root}-d", Tlp.Clear);
        districts.Area = new BulletinArea { Districts = { "oslo", "innlandet" } };
        districts.Kind = "area-warning";
        await police.IssueBulletinAsync(districts);

        // The RED chain is exported by its recipient company (at that level, only recipients get the document).
        var recipient = fixture.Bulletins(Node.Tokens.Company(company));
        XNamespace cap = "urn:oasis:names:tc:emergency:cap:1.2";
        foreach (var (id, msgType) in new[] { (root, "Alert"), ($"{root}-u", "Update"), ($"{root}-x", "Cancel"), ($"{root}-d", "Alert") })
        {
            var exported = await (id.EndsWith("-d", StringComparison.Ordinal) ? police : recipient).ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = $"oslo.{id}" });
            var document = XDocument.Parse(exported.Xml);
            Assert.True(CapSchema.Errors(document).Count == 0, $"{id}: {string.Join("; ", CapSchema.Errors(document))}\n{document}");
            Assert.Equal(msgType, document.Root!.Element(cap + "msgType")!.Value);
            Assert.Equal(id.EndsWith("-d", StringComparison.Ordinal) ? "Actual" : "Exercise", document.Root.Element(cap + "status")!.Value);
        }

        // The cancel names the whole chain before it, oldest first.
        var cancelled = XDocument.Parse((await recipient.ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = $"oslo.{root}-x" })).Xml);
        var references = cancelled.Root!.Element(cap + "references")!.Value.Split(' ');
        Assert.Equal(2, references.Length);
        Assert.Contains($"oslo.{root},", references[0]);
        Assert.Contains($"oslo.{root}-u,", references[1]);
    }

    private static GeoPoint Point(double latitude, double longitude) => new() { Latitude = latitude, Longitude = longitude };

    private BulletinService.BulletinServiceClient CompanyBulletins(string company) => fixture.Bulletins(Node.Tokens.Company(company));

    private async Task Registered(string company, params UnitRegistration[] units)
    {
        await Node.Company.RegisterUnitsAsync(Register(company, units));
        foreach (var unit in units)
        {
            await Node.Company.ReportUnitAsync(Report(company, unit.UnitId, UnitStatus.Available));
        }
    }

    private static async Task<List<BulletinEvent>> Drain(AsyncServerStreamingCall<BulletinEvent> stream)
    {
        var got = new List<BulletinEvent>();
        try
        {
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                got.Add(stream.ResponseStream.Current);
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            // Disposed by the test: what it got until then is the answer.
        }

        return got;
    }
}
