using System.Runtime.CompilerServices;
using Coordination.Domain;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>
/// One observation stream (<see cref="ObserverWatch{TObserver, TNotice}"/>) on a district's queue or a
/// company's feedback feed. As for bulletins: live events that arrive while the first ones are sent are
/// held, any at or below the last sequence sent are skipped, and a live event that skips a number, or a
/// renewal that finds the feed further on than the stream, makes the stream catch up from the feed
/// first (a null item). A reader cut off for falling behind reconnects with its last sequence.
/// <see cref="EventsAsync"/> is the stream itself, for the gRPC service and the browser's event stream alike.
/// </summary>
internal sealed class ObservationWatch : ObserverWatch<IObservationObserver, ObservationNotice?>, IObservationObserver
{
    private readonly IGrainFactory _grains;
    private readonly Func<IObservationObserver, long, Task<ObservationFeedStart>> _watch;

    private ObservationWatch(IGrainFactory grains, Func<IObservationObserver, long, Task<ObservationFeedStart>> watch)
        : base(grains)
    {
        _grains = grains;
        _watch = watch;
    }

    /// <summary>What to send first (from the feed's start, or after the caller's last sequence).</summary>
    private ObservationFeedStart Start { get; set; } = new([], false);

    /// <summary>The last sequence the stream has sent.</summary>
    private long LastSent { get; set; }

    protected override string FellBehind => $"the watcher fell more than {Buffer} observations behind; reconnect with the last sequence received";

    public static Task<ObservationWatch> OnQueueAsync(IGrainFactory grains, string district, long afterSequence)
    {
        var queue = grains.Reference<IObservationQueueGrain>(district);
        return StartAsync(grains, queue.Watch, queue.Unwatch, afterSequence);
    }

    public static Task<ObservationWatch> OnFeedbackAsync(IGrainFactory grains, string companyId, long afterSequence)
    {
        var feed = grains.Reference<ICompanyObservationsGrain>(companyId);
        return StartAsync(grains, feed.Watch, feed.Unwatch, afterSequence);
    }

    /// <summary>The feed's events after <paramref name="afterSequence"/> (renewing the subscription too).</summary>
    private Task<ObservationFeedStart> SinceAsync(long afterSequence) => _watch(Reference, afterSequence);

    public Task OnObservation(ObservationNotice notice) => Push(notice);

    /// <summary>
    /// The stream's events: the first ones (each observation read as the caller may see it now), then
    /// live ones, catching up from the feed on a gap. An event counts as sent when the reader asks for
    /// the next one, that is once it has written it.
    /// </summary>
    public async IAsyncEnumerable<Proto.ObservationEvent> EventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var e in Start.Events)
        {
            yield return e.ToApi(await Read(e.ObservationId), Start.Restarted);
            LastSent = Math.Max(LastSent, e.Sequence);
        }

        await foreach (var notice in ReadAllAsync(cancellationToken))
        {
            if (notice is null || notice.Event.Sequence > LastSent + 1)
            {
                // From further back than the feed holds, it answers with the open ones again, numbered at its
                // latest: all of them go, marked as a restart (they show the live event's change too).
                var since = await SinceAsync(LastSent);
                foreach (var e in since.Events.Where(e => since.Restarted || (e.Sequence > LastSent && (notice is null || e.Sequence < notice.Event.Sequence))))
                {
                    yield return e.ToApi(await Read(e.ObservationId), since.Restarted);
                    LastSent = Math.Max(LastSent, e.Sequence);
                }
            }

            if (notice is null || notice.Event.Sequence <= LastSent)
            {
                continue;
            }

            yield return notice.Event.ToApi(notice.Observation, restarted: false);
            LastSent = notice.Event.Sequence;
        }
    }

    private Task<ObservationView> Read(string observationId) => _grains.Reference<IObservationGrain>(observationId).Get();

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
