using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One company's bulletin stream (<see cref="ObserverWatch{TObserver, TNotice}"/>) on its feed. Live
/// events that arrive while the first ones are still being sent are held, and any at or below the
/// last sequence sent are skipped, so the stream never repeats an event. A reader cut off for falling
/// behind reconnects with its last sequence and loses nothing.
/// </summary>
internal sealed class BulletinWatch : ObserverWatch<IBulletinObserver, BulletinNotice>, IBulletinObserver
{
    private BulletinWatch(IGrainFactory grains)
        : base(grains)
    {
    }

    /// <summary>What to send first (from the feed's start, or after the caller's last sequence).</summary>
    public BulletinFeedStart Start { get; private set; } = new([], false);

    /// <summary>The last sequence the stream has sent (the renewal passes it, so a renewal costs the feed nothing to answer).</summary>
    public long LastSent { get; set; }

    protected override string FellBehind => $"the watcher fell more than {Buffer} bulletins behind; reconnect with the last sequence received";

    public static async Task<BulletinWatch> StartAsync(IGrainFactory grains, string companyId, long afterSequence)
    {
        var feed = grains.GetGrain<ICompanyBulletinsGrain>(companyId);
        var watch = new BulletinWatch(grains) { LastSent = afterSequence };
        watch.Start = await watch.SubscribeAsync(o => feed.Watch(o, afterSequence), o => feed.Watch(o, watch.LastSent), feed.Unwatch);
        return watch;
    }

    public Task OnBulletin(BulletinNotice notice) => Push(notice);
}
