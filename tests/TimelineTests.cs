using Coordination.Domain;

namespace Coordination.Tests;

[Collection(ClusterCollection.Name)]
public sealed class TimelineTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_long_timeline_is_sealed_into_pages_and_still_reads_back_whole_and_in_order()
    {
        var district = "finnmark";
        var requestId = $"long-{Guid.NewGuid():N}"[..20];
        var incident = fixture.Grains.GetGrain<IIncidentGrain>(IncidentIds.Of(district, requestId));
        var at = ReferenceData.Current.DistrictsById[district].Position;
        await incident.Open(new OpenIncident(requestId, district, "Long-running search", at, Priority.Routine, Exercise: true, "police:finnmark"));
        var request = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(1), true, false, "police:finnmark"));

        // 600 extensions: several sealed pages and a partial tail.
        for (var i = 1; i <= 600; i++)
        {
            await incident.Extend("r1", request.End.AddMinutes(i), "police:finnmark");
        }

        var timeline = (await incident.Get()).Timeline;
        Assert.Equal(Enumerable.Range(1, timeline.Count).Select(i => (long)i), timeline.Select(e => e.Sequence));
        Assert.Equal(600, timeline.Count(e => e.Kind == TimelineKind.Extended));
        Assert.Equal([TimelineKind.Opened, TimelineKind.Requested], timeline.Take(2).Select(e => e.Kind));
        Assert.Equal(request.End.AddMinutes(600), (await incident.Get()).Requests.Single().End);
    }
}
