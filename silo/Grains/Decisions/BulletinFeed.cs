using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// A company's bulletin feed: every delivery becomes one numbered event (a repeated delivery none),
/// the outstanding list follows the chains (an update replaces, an end removes), and a watcher that
/// reconnects after sequence <c>n</c> gets exactly the events after <c>n</c> while they are still
/// held — or, further back than that, every outstanding bulletin again, marked as a restart.
/// </summary>
internal sealed class BulletinFeed(CompanyBulletinsState s)
{
    /// <summary>Events held for reconnecting watchers: hours of bulletins for the busiest company.</summary>
    public const int RecentHeld = GrainTuning.BulletinFeedEventsHeld;

    /// <summary>Records a delivery; returns its event and whether it is new (to store and tell watchers).</summary>
    public (BulletinFeedEvent Event, bool New) Record(BulletinDelivery d)
    {
        var key = $"{d.BulletinId}/{d.Kind}";
        if (s.Recorded.TryGetValue(key, out var sequence))
        {
            return (new BulletinFeedEvent(sequence, d.Kind, d.BulletinId), false);
        }

        var e = new BulletinFeedEvent(++s.Sequence, d.Kind, d.BulletinId);
        s.Recorded[key] = e.Sequence;
        s.Recent.Add(e);
        switch (d.Kind)
        {
            case BulletinEventKind.Issued or BulletinEventKind.Updated:
                s.Outstanding[d.ChainId] = new OutstandingBulletin(d.BulletinId, e.Sequence, d.Expires);
                break;
            case BulletinEventKind.Resent when s.Outstanding.TryGetValue(d.ChainId, out var held) && held.BulletinId == d.BulletinId:
                s.Outstanding[d.ChainId] = held with { Sequence = e.Sequence };
                break;
            case BulletinEventKind.Ended:
                s.Outstanding.Remove(d.ChainId);
                break;
        }

        Trim();
        return (e, true);
    }

    /// <summary>The outstanding bulletins' ids, oldest event first; expired ones are left out even before their end arrives.</summary>
    public IReadOnlyList<string> Outstanding(DateTimeOffset now) => [.. Current(now).Select(o => o.BulletinId)];

    /// <summary>What a watcher resuming after <paramref name="afterSequence"/> is sent first.</summary>
    public BulletinFeedStart Start(long afterSequence, DateTimeOffset now)
    {
        if (afterSequence > 0 && afterSequence <= s.Sequence && (s.Recent.Count == 0 || s.Recent[0].Sequence <= afterSequence + 1))
        {
            return new BulletinFeedStart([.. s.Recent.Where(e => e.Sequence > afterSequence)], Restarted: false);
        }

        // From the start, or from further back than is held (or a sequence this feed never gave).
        var snapshot = Current(now).Select(o => new BulletinFeedEvent(o.Sequence, BulletinEventKind.Outstanding, o.BulletinId));
        return new BulletinFeedStart([.. snapshot], Restarted: afterSequence != 0);
    }

    private IEnumerable<OutstandingBulletin> Current(DateTimeOffset now) =>
        s.Outstanding.Values.Where(o => o.Expires > now).OrderBy(o => o.Sequence);

    private void Trim()
    {
        if (s.Recent.Count <= RecentHeld)
        {
            return;
        }

        var dropped = s.Recent[0];
        s.Recent.RemoveAt(0);

        // Its delivery is forgotten with it, unless the bulletin is still outstanding (then a repeat must still record nothing).
        var outstanding = s.Outstanding.Values.Any(o => o.BulletinId == dropped.BulletinId);
        if (!outstanding)
        {
            s.Recorded.Remove($"{dropped.BulletinId}/{dropped.Kind}");
        }
    }
}
