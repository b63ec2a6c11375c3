using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>A district's list of incidents and its board lines, without a cluster.</summary>
public sealed class IncidentBoardTests
{
    private static readonly DateTimeOffset Opened = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static IncidentSummary Line(string incident, long revision = 1, string district = "oslo", Priority priority = Priority.Urgent, int minutes = 0, int committed = 0) => new(
        incident, district, "Title", priority, false, IncidentStatus.Open, Opened.AddMinutes(minutes), new GeoPoint(59.9, 10.7),
        revision, 1, 4, 4 - committed, committed, 0, 0, 0);

    [Fact]
    public void An_incident_is_listed_once_and_only_the_first_opening_is_a_change_to_store()
    {
        var stored = new DistrictState();
        var board = new IncidentBoard("oslo", stored);

        Assert.True(board.Opened("i1"));
        Assert.False(board.Opened("i1"));
        Assert.Equal(["i1"], stored.OpenIncidents);
    }

    [Fact]
    public void A_line_is_shown_only_for_an_open_incident_of_this_district()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        board.Opened("i1");

        Assert.False(board.Show(Line("i2")));
        Assert.False(board.Show(Line("i1", district: "ost")));
        Assert.True(board.Show(Line("i1")));
        Assert.Equal(["i1"], board.Lines.Select(l => l.IncidentId));
    }

    [Fact]
    public void An_older_line_never_replaces_a_newer_one_and_the_same_line_again_is_no_change()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        board.Opened("i1");
        board.Show(Line("i1", revision: 5, committed: 2));

        Assert.False(board.Show(Line("i1", revision: 4, committed: 1)));
        Assert.False(board.Show(Line("i1", revision: 5, committed: 2)));
        Assert.True(board.Show(Line("i1", revision: 5, committed: 3))); // the same revision with new figures
        Assert.True(board.Show(Line("i1", revision: 6, committed: 3)));
        Assert.Equal(6, board.Lines.Single().Revision);
    }

    [Fact]
    public void Lines_are_in_board_order_most_urgent_first_then_the_oldest()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        foreach (var id in new[] { "a", "b", "c" })
        {
            board.Opened(id);
        }

        board.Show(Line("a", priority: Priority.Routine));
        board.Show(Line("b", priority: Priority.Urgent, minutes: 5));
        board.Show(Line("c", priority: Priority.Urgent, minutes: 1));

        Assert.Equal(["c", "b", "a"], board.Lines.Select(l => l.IncidentId));
    }

    [Fact]
    public void The_board_read_between_changes_shows_each_change()
    {
        // The ordered lines are kept between reads: every change must show on the next read.
        var board = new IncidentBoard("oslo", new DistrictState());
        board.Opened("a");
        board.Opened("b");
        board.Show(Line("a", priority: Priority.Routine));
        Assert.Equal(["a"], board.Lines.Select(l => l.IncidentId));

        board.Show(Line("b", priority: Priority.Urgent));
        Assert.Equal(["b", "a"], board.Lines.Select(l => l.IncidentId));

        board.Show(Line("a", priority: Priority.Routine, revision: 7));
        Assert.Equal(7, board.Lines.Single(l => l.IncidentId == "a").Revision);

        board.Closed("b");
        Assert.Equal(["a"], board.Lines.Select(l => l.IncidentId));
    }

    [Fact]
    public void Closing_takes_the_line_off_the_board_and_a_late_line_does_not_bring_it_back()
    {
        var stored = new DistrictState();
        var board = new IncidentBoard("oslo", stored);
        board.Opened("i1");
        board.Show(Line("i1"));

        Assert.Equal((true, true), board.Closed("i1"));
        Assert.False(board.Show(Line("i1", revision: 9)));
        Assert.Empty(board.Lines);
        Assert.Empty(stored.OpenIncidents);
        Assert.Equal(["i1"], stored.RecentlyClosed);
    }

    [Fact]
    public void Closing_again_or_closing_an_incident_never_listed_changes_nothing_to_store()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        board.Opened("i1");
        board.Closed("i1");

        Assert.Equal((false, false), board.Closed("i1"));
        Assert.Equal((false, false), board.Closed("never"));
    }

    [Fact]
    public void An_open_incident_without_a_line_yet_closes_with_no_change_to_the_board()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        board.Opened("i1");

        Assert.Equal((false, true), board.Closed("i1"));
    }

    [Fact]
    public void Exactly_the_limit_of_closed_incidents_is_kept_and_one_more_drops_the_oldest()
    {
        var stored = new DistrictState();
        var board = new IncidentBoard("oslo", stored);
        for (var i = 0; i < IncidentBoard.ClosedListed; i++)
        {
            board.Opened($"i{i}");
            board.Closed($"i{i}");
        }

        Assert.Equal(IncidentBoard.ClosedListed, stored.RecentlyClosed.Count);
        Assert.Equal("i0", stored.RecentlyClosed[0]);

        board.Opened("last");
        board.Closed("last");

        Assert.Equal(IncidentBoard.ClosedListed, stored.RecentlyClosed.Count);
        Assert.Equal("i1", stored.RecentlyClosed[0]);
    }

    [Fact]
    public void The_list_is_open_incidents_by_id_then_when_asked_the_closed_newest_first()
    {
        var board = new IncidentBoard("oslo", new DistrictState());
        foreach (var id in new[] { "b", "a", "x", "y" })
        {
            board.Opened(id);
        }

        board.Closed("x");
        board.Closed("y");

        Assert.Equal(["a", "b"], board.List(includeClosed: false));
        Assert.Equal(["a", "b", "y", "x"], board.List(includeClosed: true));
    }
}
