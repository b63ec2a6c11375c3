using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// A company's observation feedback (<see cref="ObservationFeed"/>): one numbered event per new version
/// of each of its observations (reported, triaged, attached, erased), stored before the observation
/// counts it as told, and told to the company's watchers. Lines and numbers only: the police's
/// messages stay in the observation, so erasing them is one write.
/// </summary>
internal sealed class CompanyObservationsGrain(
    [PersistentState("observation-feedback", StorageNames.Grains)] IPersistentState<ObservationFeedState> state,
    TimeProvider time) : Grain, ICompanyObservationsGrain
{
    private readonly ObserverManager<IObservationObserver> _watchers = ObserverLeases.Create<IObservationObserver>(time);

    private ObservationFeed Feed => new(state.State);

    public async Task<long> Record(ObservationLine line, ObservationView view)
    {
        if (line.CompanyId != this.GetPrimaryKeyString())
        {
            throw CoordinationException.Invalid("observation_id", $"'{line.Id}' is not an observation of {this.GetPrimaryKeyString()}");
        }

        if (Feed.Record(line) is not { } e)
        {
            return state.State.Sequence;
        }

        await state.WriteStateAsync();

        // One-way and after the write: a watcher never sees an event its feed could lose.
        _watchers.Notify(w => w.OnObservation(new ObservationNotice(e, view)).Ignore());
        return e.Sequence;
    }

    public Task<ObservationFeedStart> Watch(IObservationObserver observer, long afterSequence)
    {
        _watchers.Subscribe(observer, observer);
        return Task.FromResult(Feed.Start(afterSequence));
    }

    public Task Unwatch(IObservationObserver observer)
    {
        _watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }
}
