using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One observation stream (<see cref="ObserverWatch{TObserver, TNotice}"/>) on a district's queue or a
/// company's feedback feed. As for bulletins: live events that arrive while the first ones are sent are
/// held, any at or below the last sequence sent are skipped, and a live event that skips a number, or a
/// renewal that finds the feed further on than the stream, makes the stream catch up from the feed
/// first (a null item). A reader cut off for falling behind reconnects with its last sequence.
/// </summary>
internal sealed class ObservationWatch : ObserverWatch<IObservationObserver, ObservationNotice?>, IObservationObserver
{
    private readonly Func<IObservationObserver, long, Task<ObservationFeedStart>> _watch;

    private ObservationWatch(IGrainFactory grains, Func<IObservationObserver, long, Task<ObservationFeedStart>> watch)
        : base(grains) => _watch = watch;

    /// <summary>What to send first (from the feed's start, or after the caller's last sequence).</summary>
    public ObservationFeedStart Start { get; private set; } = new([], false);

    /// <summary>The last sequence the stream has sent.</summary>
    public long LastSent { get; set; }

    protected override string FellBehind => $"the watcher fell more than {Buffer} observations behind; reconnect with the last sequence received";

    public static Task<ObservationWatch> OnQueueAsync(IGrainFactory grains, string district, long afterSequence)
    {
        var queue = grains.GetGrain<IObservationQueueGrain>(district);
        return StartAsync(grains, queue.Watch, queue.Unwatch, afterSequence);
    }

    public static Task<ObservationWatch> OnFeedbackAsync(IGrainFactory grains, string companyId, long afterSequence)
    {
        var feed = grains.GetGrain<ICompanyObservationsGrain>(companyId);
        return StartAsync(grains, feed.Watch, feed.Unwatch, afterSequence);
    }

    /// <summary>The feed's events after <paramref name="afterSequence"/> (renewing the subscription too).</summary>
    public Task<ObservationFeedStart> SinceAsync(long afterSequence) => _watch(Reference, afterSequence);

    public Task OnObservation(ObservationNotice notice) => Push(notice);

    private static async Task<ObservationWatch> StartAsync(
        IGrainFactory grains, Func<IObservationObserver, long, Task<ObservationFeedStart>> watch, Func<IObservationObserver, Task> unwatch, long afterSequence)
    {
        var w = new ObservationWatch(grains, watch) { LastSent = afterSequence };
        w.Start = await w.SubscribeAsync(o => watch(o, afterSequence), w.RenewAsync, unwatch);
        return w;
    }

    private async Task RenewAsync(IObservationObserver observer)
    {
        var since = await _watch(observer, LastSent);
        if (since.Events.Any(e => e.Sequence > LastSent))
        {
            await Push(null);
        }
    }
}
