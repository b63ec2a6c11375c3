using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One company's bulletin stream (<see cref="ObserverWatch{TObserver, TNotice}"/>) on its feed. Live
/// events that arrive while the first ones are still being sent are held, and any at or below the
/// last sequence sent are skipped, so the stream never repeats an event. Nor does it miss one: a
/// live event that skips a number, or a renewal that finds the feed further on than the stream (the
/// feed lost its watchers when it was reactivated, or a one-way notice was lost), makes the stream
/// catch up from the feed (a null item). A reader cut off for falling behind reconnects with its last
/// sequence and loses nothing.
/// </summary>
internal sealed class BulletinWatch : ObserverWatch<IBulletinObserver, BulletinNotice?>, IBulletinObserver
{
    private readonly ICompanyBulletinsGrain _feed;

    private BulletinWatch(IGrainFactory grains, ICompanyBulletinsGrain feed)
        : base(grains) => _feed = feed;

    /// <summary>What to send first (from the feed's start, or after the caller's last sequence).</summary>
    public BulletinFeedStart Start { get; private set; } = new([], false);

    /// <summary>The last sequence the stream has sent.</summary>
    public long LastSent { get; set; }

    protected override string FellBehind => $"the watcher fell more than {Buffer} bulletins behind; reconnect with the last sequence received";

    public static async Task<BulletinWatch> StartAsync(IGrainFactory grains, string companyId, long afterSequence)
    {
        var feed = grains.Reference<ICompanyBulletinsGrain>(companyId);
        var watch = new BulletinWatch(grains, feed) { LastSent = afterSequence };
        watch.Start = await watch.SubscribeAsync(o => feed.Watch(o, afterSequence), watch.RenewAsync, feed.Unwatch);
        return watch;
    }

    /// <summary>The feed's events after <paramref name="afterSequence"/> (renewing the subscription too).</summary>
    public Task<BulletinFeedStart> SinceAsync(long afterSequence) => _feed.Watch(Reference, afterSequence);

    public Task OnBulletin(BulletinNotice notice) => Push(notice);

    private async Task RenewAsync(IBulletinObserver observer)
    {
        var since = await _feed.Watch(observer, LastSent);
        if (since.Events.Any(e => e.Sequence > LastSent))
        {
            await Push(null);
        }
    }
}
