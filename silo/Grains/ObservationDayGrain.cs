using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// A district's observations of one day, until each is erased (see <see cref="IObservationDayGrain"/>):
/// a bounded list written once per report and once per erasure, never on the path of triage.
/// </summary>
[Orleans.Concurrency.Reentrant]
internal sealed class ObservationDayGrain(
    [PersistentState("observation-day", StorageNames.Grains)] IPersistentState<ObservationDayState> state) : Grain, IObservationDayGrain
{
    // Every report of the district that day adds to it: they share writes (see CoalescedWrites).
    private CoalescedWrites? _writes;

    private CoalescedWrites Writes => _writes ??= new(state.WriteStateAsync);

    public async Task Add(string observationId)
    {
        if (state.State.Observations.Add(observationId))
        {
            await Writes.Stored();
        }
    }

    public Task<IReadOnlyList<string>> Remaining() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Observations]);

    public async Task Erased(string observationId)
    {
        if (state.State.Observations.Remove(observationId))
        {
            await Writes.Stored();
        }
    }

    /// <summary>The key of the day grain for an observation of <paramref name="district"/> reported on <paramref name="day"/>.</summary>
    public static string Key(string district, DateOnly day) => $"{district}/{day:yyyy-MM-dd}";
}

[GenerateSerializer, Alias("coordination.ObservationDayState")]
public sealed class ObservationDayState
{
    [Id(0)] public HashSet<string> Observations { get; set; } = new(StringComparer.Ordinal);
}
