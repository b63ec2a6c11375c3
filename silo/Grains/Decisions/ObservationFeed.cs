using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// A numbered feed of observations, for a district's queue and a company's feedback alike: each new
/// version of an observation becomes one numbered event (a repeated version none), the open ones are
/// kept in queue order (needing police now first, then the longest waiting), and a watcher that
/// reconnects after sequence <c>n</c> gets exactly the events after <c>n</c> while they are held —
/// or, further back than that, every open observation again, marked as a restart.
/// </summary>
internal sealed class ObservationFeed(ObservationFeedState s)
{
    public const int RecentHeld = GrainTuning.ObservationFeedEventsHeld;
    public const int ClosedListed = GrainTuning.ClosedObservationsListed;

    /// <summary>Records a version of an observation; returns its event, or null when that version (or a later one) is already recorded.</summary>
    public ObservationFeedEvent? Record(ObservationLine line)
    {
        var known = s.Versions.TryGetValue(line.Id, out var version);
        if (known && version >= line.Version)
        {
            return null;
        }

        var e = new ObservationFeedEvent(++s.Sequence, known || line.Version > 1 ? ObservationEventKind.Changed : ObservationEventKind.Reported, line.Id, line.Version);
        s.Versions[line.Id] = line.Version;
        s.Recent.Add(e);
        if (line.Open && !line.TextErased)
        {
            s.Open[line.Id] = line;
        }
        else if (s.Open.Remove(line.Id) || (!known && !line.TextErased))
        {
            // Listed as closed when it leaves the open ones (an erased one left untriaged leaves too: nothing
            // remains to act on), or when its first news here is its closing; not again at a later change.
            s.RecentlyClosed.Remove(line.Id);
            s.RecentlyClosed.Add(line.Id);
            if (s.RecentlyClosed.Count > ClosedListed)
            {
                s.RecentlyClosed.RemoveAt(0);
            }
        }

        Trim();
        return e;
    }

    /// <summary>Open observations in queue order: needing police now first, then the longest waiting.</summary>
    public IEnumerable<ObservationLine> Queue =>
        s.Open.Values.OrderByDescending(l => l.NeedsPoliceNow).ThenBy(l => l.ReportedAt).ThenBy(l => l.Id, StringComparer.Ordinal);

    /// <summary>Open ones in queue order, then (when asked) the recently closed, newest first.</summary>
    public IReadOnlyList<string> List(bool includeClosed) =>
        [.. Queue.Select(l => l.Id).Concat(includeClosed ? Enumerable.Reverse(s.RecentlyClosed) : [])];

    /// <summary>What a watcher resuming after <paramref name="afterSequence"/> is sent first.</summary>
    public ObservationFeedStart Start(long afterSequence)
    {
        if (afterSequence > 0 && afterSequence <= s.Sequence && (s.Recent.Count == 0 || s.Recent[0].Sequence <= afterSequence + 1))
        {
            return new ObservationFeedStart([.. s.Recent.Where(e => e.Sequence > afterSequence)], Restarted: false);
        }

        // From the start, or from further back than is held (or a sequence this feed never gave): the
        // open ones, each numbered by its latest event so a reconnect after any of them goes on from there.
        var latest = s.Sequence;
        var snapshot = Queue.Select(l => new ObservationFeedEvent(latest, ObservationEventKind.Open, l.Id, l.Version));
        return new ObservationFeedStart([.. snapshot], Restarted: afterSequence != 0);
    }

    private void Trim()
    {
        while (s.Recent.Count > RecentHeld)
        {
            var dropped = s.Recent[0];
            s.Recent.RemoveAt(0);

            // Forgotten with its last held event, unless still open (then a repeat must still record nothing).
            if (!s.Open.ContainsKey(dropped.ObservationId) && !s.Recent.Any(e => e.ObservationId == dropped.ObservationId))
            {
                s.Versions.Remove(dropped.ObservationId);
            }
        }
    }
}
