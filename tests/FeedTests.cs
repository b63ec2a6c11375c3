using Coordination.Api.V1;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>The client-streaming feed a control-room system keeps open.</summary>
[Collection(NodeCollection.Name)]
public sealed class FeedTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_feed_applies_every_report_in_order_per_unit_and_lists_the_ones_it_refused()
    {
        var company = Ids.Company();
        var units = Enumerable.Range(0, 50).Select(i => Unit($"u{i}", 2, "trondelag", "alarm-response")).ToArray();
        await Node.Company.RegisterUnitsAsync(Register(company, units));
        var before = await Node.Police.GetCapacityAsync(District("trondelag"));

        using var feed = Node.CompanyAs(company).StreamUnitReports();
        // Each unit goes available, out of service, available again: only the order sent ends in available.
        foreach (var status in new[] { UnitStatus.Available, UnitStatus.OutOfService, UnitStatus.Available })
        {
            foreach (var unit in units)
            {
                await feed.RequestStream.WriteAsync(Report(company, unit.UnitId, status));
            }
        }

        await feed.RequestStream.WriteAsync(Report(company, "u7", UnitStatus.OnScene));          // refused transition
        await feed.RequestStream.WriteAsync(Report(company, "no-such-unit", UnitStatus.Available)); // unknown unit
        await feed.RequestStream.WriteAsync(new UnitReport { CompanyId = company, UnitId = "u8", Position = new GeoPoint { Latitude = 63.43, Longitude = 10.39 } });
        await feed.RequestStream.CompleteAsync();
        var summary = await feed;

        Assert.Equal(153, summary.Received);
        Assert.Equal(151, summary.Applied);
        Assert.Equal(2, summary.Rejected);
        Assert.Equal([(150L, "u7", "FAILED_PRECONDITION"), (151L, "no-such-unit", "NOT_FOUND")],
            summary.Rejections.Select(r => (r.Index, r.UnitId, r.Code)));

        var listed = (await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units;
        Assert.All(listed, u => Assert.Equal(UnitStatus.Available, u.Status));
        Assert.Equal(63.43, listed.Single(u => u.UnitId == "u8").Position.Latitude);
        var after = await Node.Police.GetCapacityAsync(District("trondelag"));
        Assert.Equal(before.For("alarm-response").AvailableGuards + 100, after.For("alarm-response").AvailableGuards);
    }
}
