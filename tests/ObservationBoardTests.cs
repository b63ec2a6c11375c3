using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>What a district's dashboards show of its open observations, without a cluster.</summary>
public sealed class ObservationBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_closed_observation_leaves_the_board_and_a_late_older_line_does_not_bring_it_back()
    {
        var board = new ObservationBoard();
        Assert.True(board.Show(Line("a", 1)));
        Assert.False(board.Show(Line("a", 1)));
        Assert.True(board.Show(Line("a", 2, ObservationStage.Seen)));
        Assert.Equal(ObservationStage.Seen, Assert.Single(board.Lines).Stage);

        Assert.True(board.Show(Line("a", 3, ObservationStage.Dismissed)));
        Assert.Empty(board.Lines);
        Assert.False(board.Show(Line("a", 2, ObservationStage.Seen)));
        Assert.Empty(board.Lines);
    }

    [Fact]
    public void Beyond_its_bound_the_routine_ones_reported_longest_ago_give_way_and_the_rest_are_in_queue_order()
    {
        var board = new ObservationBoard();
        board.Show(Line("urgent-oldest", 1, reportedAt: T0.AddMinutes(-10), urgent: true));
        foreach (var i in Enumerable.Range(0, ObservationBoard.Shown))
        {
            board.Show(Line($"r{i:D3}", 1, reportedAt: T0.AddSeconds(i)));
        }

        Assert.Equal(ObservationBoard.Shown, board.Lines.Count);
        Assert.Equal("urgent-oldest", board.Lines[0].Id);
        Assert.DoesNotContain(board.Lines, l => l.Id == "r000");
        Assert.Equal("r001", board.Lines[1].Id);

        // One that would be the first to give way is not shown at all.
        Assert.False(board.Show(Line("older-still", 1, reportedAt: T0.AddMinutes(-5))));
        Assert.Equal(ObservationBoard.Shown, ObservationBoard.Kept(board.Lines.Append(Line("older-still", 1, reportedAt: T0.AddMinutes(-5)))).Count);
    }

    private static ObservationLine Line(string id, long version, ObservationStage stage = ObservationStage.New, DateTimeOffset? reportedAt = null, bool urgent = false) =>
        new(id, version, stage, urgent, reportedAt ?? T0, (reportedAt ?? T0).AddMinutes(-2), "other", new GeoPoint(59.91, 10.75), "co", "oslo", null, false);
}
