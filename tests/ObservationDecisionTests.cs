using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>The observation feed's and the triage rules' decisions, without a cluster.</summary>
public sealed class ObservationDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_version_is_recorded_once_and_an_older_one_after_a_newer_is_ignored()
    {
        var feed = new ObservationFeed(new ObservationFeedState());
        var first = feed.Record(Line("a", 1));
        Assert.Equal((1L, ObservationEventKind.Reported), (first!.Sequence, first.Kind));
        Assert.Null(feed.Record(Line("a", 1)));
        var second = feed.Record(Line("a", 3, ObservationStage.Seen));
        Assert.Equal((2L, ObservationEventKind.Changed), (second!.Sequence, second.Kind));
        Assert.Null(feed.Record(Line("a", 2)));
    }

    [Fact]
    public void The_queue_puts_police_now_first_then_the_longest_waiting_and_lists_closed_ones_newest_first_after_it()
    {
        var feed = new ObservationFeed(new ObservationFeedState());
        feed.Record(Line("old", 1, reportedAt: T0));
        feed.Record(Line("new", 1, reportedAt: T0.AddMinutes(5)));
        feed.Record(Line("urgent", 1, reportedAt: T0.AddMinutes(9), urgent: true));
        feed.Record(Line("done", 1, reportedAt: T0.AddMinutes(1)));
        feed.Record(Line("done", 2, ObservationStage.Dismissed, reportedAt: T0.AddMinutes(1)));
        feed.Record(Line("done-too", 1, reportedAt: T0.AddMinutes(2)));
        feed.Record(Line("done-too", 2, ObservationStage.Actioned, reportedAt: T0.AddMinutes(2)));

        Assert.Equal(["urgent", "old", "new"], feed.List(includeClosed: false));
        Assert.Equal(["urgent", "old", "new", "done-too", "done"], feed.List(includeClosed: true));
    }

    [Fact]
    public void A_watcher_resumes_after_its_sequence_or_from_further_back_gets_the_open_ones_again_marked_as_a_restart()
    {
        var state = new ObservationFeedState();
        var feed = new ObservationFeed(state);
        for (var i = 0; i < ObservationFeed.RecentHeld + 10; i++)
        {
            feed.Record(Line($"o{i}", 1, reportedAt: T0.AddSeconds(i)));
            if (i > 2)
            {
                feed.Record(Line($"o{i}", 2, ObservationStage.Dismissed, reportedAt: T0.AddSeconds(i)));
            }
        }

        var resumed = feed.Start(state.Sequence - 3);
        Assert.False(resumed.Restarted);
        Assert.Equal([state.Sequence - 2, state.Sequence - 1, state.Sequence], resumed.Events.Select(e => e.Sequence));

        var restarted = feed.Start(1);
        Assert.True(restarted.Restarted);
        Assert.Equal(["o0", "o1", "o2"], restarted.Events.Select(e => e.ObservationId));
        Assert.All(restarted.Events, e => Assert.Equal((ObservationEventKind.Open, state.Sequence), (e.Kind, e.Sequence)));

        // Bounded: closed observations whose events are gone are forgotten; open ones are kept.
        Assert.Equal(ObservationFeed.RecentHeld, state.Recent.Count);
        Assert.True(state.Versions.Count < ObservationFeed.RecentHeld + 3);
        Assert.Contains("o0", state.Versions.Keys);
    }

    [Theory]
    [InlineData(ObservationStage.New, ObservationStage.Seen, true)]
    [InlineData(ObservationStage.New, ObservationStage.Actioned, true)]
    [InlineData(ObservationStage.Seen, ObservationStage.Dismissed, true)]
    [InlineData(ObservationStage.Seen, ObservationStage.Seen, false)]
    public void Triage_moves_forward_and_the_same_step_again_changes_nothing(ObservationStage from, ObservationStage to, bool moves) =>
        Assert.Equal(moves, ObservationRules.Moves(from, to, null, null));

    [Theory]
    [InlineData(ObservationStage.Actioned, ObservationStage.Seen)]
    [InlineData(ObservationStage.Dismissed, ObservationStage.Actioned)]
    [InlineData(ObservationStage.Actioned, ObservationStage.Dismissed)]
    public void Triage_never_goes_back_or_on_from_a_closing_step(ObservationStage from, ObservationStage to) =>
        Assert.Equal(ErrorKind.FailedPrecondition, Assert.Throws<CoordinationException>(() => ObservationRules.Moves(from, to, null, null)).Code);

    [Fact]
    public void The_same_closing_step_with_another_message_is_refused_rather_than_rewriting_what_the_company_was_told() =>
        Assert.Equal(ErrorKind.FailedPrecondition, Assert.Throws<CoordinationException>(() => ObservationRules.Moves(ObservationStage.Actioned, ObservationStage.Actioned, "other", "first")).Code);

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0 }, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "image/png")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50, 0 }, "image/webp")]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D }, null)]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 }, null)]
    [InlineData(new byte[] { 0xFF, 0xD8 }, null)]
    public void A_photo_is_what_its_bytes_say(byte[] data, string? type) => Assert.Equal(type, ObservationRules.Sniff(data));

    private static ObservationLine Line(string id, long version, ObservationStage stage = ObservationStage.New, DateTimeOffset? reportedAt = null, bool urgent = false) =>
        new(id, version, stage, urgent, reportedAt ?? T0, reportedAt ?? T0, "other", new GeoPoint(59.9, 10.7), "co", "oslo", null, false);
}
