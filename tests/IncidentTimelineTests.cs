using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>An incident's timeline and its paging, without a cluster.</summary>
public sealed class IncidentTimelineTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static void Append(IncidentTimeline timeline, int events)
    {
        for (var i = 0; i < events; i++)
        {
            timeline.Append(sequence => new TimelineEvent(sequence, Now, TimelineKind.Extended, "police:oslo", null, "r1", null, null, [], 0));
        }
    }

    [Fact]
    public void Events_are_numbered_from_one_in_the_order_they_happen()
    {
        var state = new IncidentState();
        var timeline = new IncidentTimeline(state);

        Append(timeline, 3);

        Assert.Equal([1L, 2L, 3L], state.TimelineTail.Select(e => e.Sequence));
        Assert.Equal(4, timeline.NextSequence);
    }

    [Fact]
    public void A_tail_one_short_of_a_page_is_not_sealed_and_a_full_one_is()
    {
        var timeline = new IncidentTimeline(new IncidentState());

        Append(timeline, IncidentTimeline.PageSize - 1);
        Assert.Null(timeline.PageToSeal);

        Append(timeline, 1);
        var page = timeline.PageToSeal;
        Assert.Equal(0, page!.Number);
        Assert.Equal(Enumerable.Range(1, IncidentTimeline.PageSize).Select(i => (long)i), page.Events.Select(e => e.Sequence));
    }

    [Fact]
    public void A_sealed_page_empties_the_tail_and_numbering_goes_on()
    {
        var state = new IncidentState();
        var timeline = new IncidentTimeline(state);
        Append(timeline, IncidentTimeline.PageSize);

        timeline.Sealed(timeline.PageToSeal!);
        Append(timeline, 1);

        Assert.Equal([0], timeline.Pages);
        Assert.Equal([IncidentTimeline.PageSize + 1L], state.TimelineTail.Select(e => e.Sequence));
        Assert.Null(timeline.PageToSeal);
    }

    [Fact]
    public void A_page_whose_write_did_not_complete_is_offered_again_with_the_same_first_events()
    {
        var timeline = new IncidentTimeline(new IncidentState());
        Append(timeline, IncidentTimeline.PageSize);
        var first = timeline.PageToSeal!;

        // The page write failed (or the silo stopped): nothing is marked sealed, and the tail keeps growing.
        Append(timeline, 1);
        var again = timeline.PageToSeal!;

        Assert.Equal(first.Number, again.Number);
        Assert.Equal(first.Events, again.Events.Take(IncidentTimeline.PageSize));
        Assert.Equal(IncidentTimeline.PageSize + 1, again.Events.Length);
    }

    [Fact]
    public void Sealing_the_same_page_twice_counts_it_once()
    {
        var state = new IncidentState();
        var timeline = new IncidentTimeline(state);
        Append(timeline, IncidentTimeline.PageSize);
        var page = timeline.PageToSeal!;

        timeline.Sealed(page);
        Append(timeline, 2);
        timeline.Sealed(page);

        Assert.Equal(1, state.SealedPages);
        Assert.Equal(2, state.TimelineTail.Count);
    }

    [Fact]
    public void The_whole_timeline_is_the_pages_then_the_tail_in_order()
    {
        var timeline = new IncidentTimeline(new IncidentState());
        var pages = new List<IReadOnlyList<TimelineEvent>>();
        for (var p = 0; p < 2; p++)
        {
            Append(timeline, IncidentTimeline.PageSize);
            var page = timeline.PageToSeal!;
            pages.Add(page.Events);
            timeline.Sealed(page);
        }

        Append(timeline, 5);

        Assert.Equal([0, 1], timeline.Pages);
        Assert.Equal(Enumerable.Range(1, (2 * IncidentTimeline.PageSize) + 5).Select(i => (long)i), timeline.Whole(pages).Select(e => e.Sequence));
    }

    [Fact]
    public void An_empty_timeline_has_no_pages_and_nothing_to_seal()
    {
        var timeline = new IncidentTimeline(new IncidentState());

        Assert.Empty(timeline.Pages);
        Assert.Null(timeline.PageToSeal);
        Assert.Empty(timeline.Whole([]));
        Assert.Equal(1, timeline.NextSequence);
    }

    [Fact]
    public void Only_the_tail_is_searched_for_an_event()
    {
        var timeline = new IncidentTimeline(new IncidentState());
        timeline.Append(sequence => new TimelineEvent(sequence, Now, TimelineKind.Offered, "system", null, "r1", "o1", "c1", [], 1));
        Assert.True(timeline.TailHas(e => e.OfferId == "o1"));

        Append(timeline, IncidentTimeline.PageSize - 1);
        timeline.Sealed(timeline.PageToSeal!);

        Assert.False(timeline.TailHas(e => e.OfferId == "o1"));
    }
}
