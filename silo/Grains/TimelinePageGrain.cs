using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// A sealed page of an incident's timeline. Written once when the incident's tail fills (again only
/// if the incident stopped before recording that it had sealed it), read for the full timeline.
/// </summary>
internal sealed class TimelinePageGrain(
    [PersistentState("timeline", StorageNames.Grains)] IPersistentState<TimelinePageState> state) : Grain, ITimelinePageGrain
{
    public async Task Write(IReadOnlyList<TimelineEvent> events)
    {
        state.State.Events = [.. events];
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<TimelineEvent>> Read() => Task.FromResult<IReadOnlyList<TimelineEvent>>(state.State.Events);
}
