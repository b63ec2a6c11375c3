using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// A company's bulletin feed (<see cref="BulletinFeed"/>): one numbered event per delivery, stored
/// before the bulletin counts it as delivered, and told to the company's watchers (gateway streams).
/// It holds ids and numbers only; the text stays in the bulletin, so erasing it is one write.
/// </summary>
internal sealed class CompanyBulletinsGrain(
    [PersistentState("bulletin-feed", StorageNames.Grains)] IPersistentState<CompanyBulletinsState> state,
    TimeProvider time) : Grain, ICompanyBulletinsGrain
{
    private readonly ObserverManager<IBulletinObserver> _watchers = ObserverLeases.Create<IBulletinObserver>(time);

    private BulletinFeed Feed => new(state.State);

    public async Task<long> Record(BulletinDelivery delivery, BulletinView companyView)
    {
        var (e, isNew) = Feed.Record(delivery);
        if (isNew)
        {
            await state.WriteStateAsync();

            // One-way and after the write: a watcher never sees an event its feed could lose.
            _watchers.Notify(w => w.OnBulletin(new BulletinNotice(e, companyView)).Ignore());
        }

        return e.Sequence;
    }

    public Task<BulletinFeedStart> Watch(IBulletinObserver observer, long afterSequence)
    {
        _watchers.Subscribe(observer, observer);
        return Task.FromResult(Feed.Start(afterSequence, time.GetUtcNow()));
    }

    public Task Unwatch(IBulletinObserver observer)
    {
        _watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> Outstanding() => Task.FromResult(Feed.Outstanding(time.GetUtcNow()));
}
