using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>
/// Stored grain state is written by the project's serializer and read by Orleans' provider, and states
/// stored by earlier builds are read by this one: the bytes must be Orleans' own, exactly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainStateFormatTests(ClusterFixture fixture)
{
    [Fact]
    public void The_project_serializer_writes_the_same_bytes_as_Orleans_and_reads_them_back()
    {
        var serializer = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<Serializer>();
        var at = new GeoPoint(59.91, 10.75);
        var request = new CapacityRequestState
        {
            Command = new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UnixEpoch, TimeSpan.FromHours(2), false, false, "police:oslo"),
            End = DateTimeOffset.UnixEpoch.AddHours(2),
            Assignments = [new AssignmentState { UnitKey = "c/u1", Guards = 2, OfferId = "oslo.x~1", CommittedAt = DateTimeOffset.UnixEpoch, Until = DateTimeOffset.UnixEpoch.AddHours(2) }],
        };
        var state = new IncidentState
        {
            Opening = new OpenIncident("x", "oslo", "Format", at, Priority.Urgent, false, "police:oslo"),
            Requests = [request],

            // The same request twice: Orleans writes the second as a reference to the first, and so must this serializer.
            Archived = [request],
            TimelineTail = [.. Enumerable.Range(1, 100).Select(i => new TimelineEvent(i, DateTimeOffset.UnixEpoch, TimelineKind.Requested, "police:oslo", null, "r1", null, null, [], 2, null))],
        };

        var ours = ExactSizeGrainStorageSerializer.Bytes(new ExactSizeGrainStorageSerializer(serializer).Serialize(state));
        var orleans = new OrleansGrainStorageSerializer(serializer).Serialize(state).ToArray();

        Assert.Equal(orleans, ours);
        var back = new OrleansGrainStorageSerializer(serializer).Deserialize<IncidentState>(new BinaryData(ours))!;
        Assert.Same(back.Requests[0], back.Archived[0]);
        Assert.Equal(100, back.TimelineTail.Count);
        Assert.Equal("c/u1", back.Requests[0].Assignments.Single().UnitKey);
    }
}
