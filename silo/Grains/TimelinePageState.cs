using Coordination.Domain;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.TimelinePageState")]
public sealed class TimelinePageState
{
    [Id(0)] public List<TimelineEvent> Events { get; set; } = [];
}
