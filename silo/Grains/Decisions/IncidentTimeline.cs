using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// An incident's timeline over its state: events numbered 1, 2, 3… in the order they happen, the
/// newest in the incident's own state (its tail) and older ones sealed into pages of
/// <see cref="PageSize"/>, each page a grain of its own (<see cref="ITimelinePageGrain"/>). Orleans
/// rewrites the whole incident on every write, so a short tail keeps each write small (sealing a page
/// is one more write per <see cref="PageSize"/> events); pages are read only to show the whole timeline.
/// <para>
/// Sealing is two writes: the page, then the incident saying it has one page more and an empty tail.
/// If the silo stops between them the same page is simply written again next time, with the same
/// first events (and any added since), so no event is lost or shown twice.
/// </para>
/// </summary>
internal sealed class IncidentTimeline(IncidentState state)
{
    public const int PageSize = GrainTuning.TimelinePageSize;

    /// <summary>The sequence the next event gets; a newer board line of the incident has a higher one.</summary>
    public long NextSequence => state.NextSequence;

    /// <summary>The sealed pages, oldest first, as numbered in their grains' keys.</summary>
    public IEnumerable<int> Pages => Enumerable.Range(0, state.SealedPages);

    /// <summary>Adds the next event; <paramref name="create"/> is given its sequence.</summary>
    public TimelineEvent Append(Func<long, TimelineEvent> create)
    {
        var added = create(state.NextSequence++);
        state.TimelineTail.Add(added);
        return added;
    }

    /// <summary>Whether the tail holds such an event (events already sealed into a page are not looked at).</summary>
    public bool TailHas(Func<TimelineEvent, bool> match) => state.TimelineTail.Any(match);

    /// <summary>The tail as the next page to seal, once it holds a full page; null until then.</summary>
    public TimelinePage? PageToSeal => state.TimelineTail.Count >= PageSize ? new TimelinePage(state.SealedPages, [.. state.TimelineTail]) : null;

    /// <summary>The page to seal is stored: the incident counts it and starts a new tail (written with the incident's next write).</summary>
    public void Sealed(TimelinePage page)
    {
        if (page.Number == state.SealedPages)
        {
            state.SealedPages++;
            state.TimelineTail = [];
        }
    }

    /// <summary>The whole timeline in order, given the sealed pages' events as read (in <see cref="Pages"/> order). A list: it crosses silos in the incident's view.</summary>
    public List<TimelineEvent> Whole(IEnumerable<IReadOnlyList<TimelineEvent>> pages) =>
        pages.SelectMany(p => p).Concat(state.TimelineTail).ToList();
}

/// <summary>A page of the timeline to seal: its number and its events.</summary>
internal sealed record TimelinePage(int Number, TimelineEvent[] Events);
