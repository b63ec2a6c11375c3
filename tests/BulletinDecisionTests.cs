using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>A bulletin's lifecycle, a company's feed and a district's bulletin list, without a cluster.</summary>
public sealed class BulletinDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private static StoredBulletin Issued(bool acknowledgement = true, BulletinMessage message = BulletinMessage.Alert, Tlp tlp = Tlp.Amber, params string[] companies)
    {
        var command = new IssueBulletin(
            "b1", "oslo", message, message == BulletinMessage.Alert ? null : "oslo.b0", "wanted-vehicle", "Grey Volvo sought", "Two men", "Observe and report.",
            BulletinUrgency.Immediate, BulletinSeverity.Severe, BulletinCertainty.Observed, BulletinStatus.Actual,
            BulletinArea.OfDistricts("oslo"), new BulletinAudience(AudienceKind.AllInArea, [], null, false), tlp,
            Now.AddHours(2), acknowledgement, acknowledgement ? Now.AddMinutes(5) : null, null, "police:oslo");
        return new StoredBulletin
        {
            Command = command,
            IssuedAt = Now,
            Chain = ["oslo.b1"],
            State = message is BulletinMessage.Alert or BulletinMessage.Update ? BulletinState.Outstanding : BulletinLifecycle.StateAfter(message),
            Recipients = [.. (companies.Length == 0 ? ["alfa", "bravo"] : companies).Select(c => new StoredRecipient { CompanyId = c })],
        };
    }

    [Fact]
    public void Every_recipient_is_owed_the_first_event_until_delivered_and_a_cancel_is_owed_as_an_end()
    {
        var s = Issued();
        Assert.Equal([("alfa", BulletinEventKind.Issued), ("bravo", BulletinEventKind.Issued)], BulletinLifecycle.Owed(s).Select(o => (o.Recipient.CompanyId, o.Kind)));
        BulletinLifecycle.Delivered(s.Recipients[0], BulletinEventKind.Issued, Now);
        Assert.Equal(["bravo"], BulletinLifecycle.Owed(s).Select(o => o.Recipient.CompanyId));

        Assert.All(BulletinLifecycle.Owed(Issued(message: BulletinMessage.Cancel)), o => Assert.Equal(BulletinEventKind.Ended, o.Kind));
        Assert.All(BulletinLifecycle.Owed(Issued(message: BulletinMessage.Update)), o => Assert.Equal(BulletinEventKind.Updated, o.Kind));
        Assert.Empty(BulletinLifecycle.Owed(new StoredBulletin()));
        var pending = Issued();
        pending.PredecessorPending = true;
        Assert.Empty(BulletinLifecycle.Owed(pending));
    }

    [Fact]
    public void At_the_deadline_only_those_without_an_acknowledgement_are_missing_and_owed_it_once_more()
    {
        var s = Issued();
        foreach (var r in s.Recipients)
        {
            BulletinLifecycle.Delivered(r, BulletinEventKind.Issued, Now);
        }

        Assert.True(BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(AcknowledgementKind.Received, 0, null), Now));
        Assert.False(BulletinLifecycle.PassDeadline(s, Now.AddMinutes(4)));
        Assert.True(BulletinLifecycle.PassDeadline(s, Now.AddMinutes(5)));
        Assert.False(BulletinLifecycle.PassDeadline(s, Now.AddMinutes(6)));
        Assert.Equal([("bravo", BulletinEventKind.Resent)], BulletinLifecycle.Owed(s).Select(o => (o.Recipient.CompanyId, o.Kind)));
        BulletinLifecycle.Delivered(s.Recipients[1], BulletinEventKind.Resent, Now.AddMinutes(5));
        Assert.Empty(BulletinLifecycle.Owed(s));
        Assert.Equal((false, true), (s.Recipients[0].MissingAtDeadline, s.Recipients[1].MissingAtDeadline));
        Assert.False(BulletinLifecycle.PassDeadline(Issued(acknowledgement: false), Now.AddDays(1)));
    }

    [Fact]
    public void A_bulletin_a_later_one_took_over_owes_no_first_delivery_and_one_still_being_issued_cannot_be_followed_yet()
    {
        var s = Issued();
        BulletinLifecycle.Delivered(s.Recipients[0], BulletinEventKind.Issued, Now);
        Assert.True(BulletinLifecycle.Supersede(s, "oslo.b1", "oslo.b2", BulletinMessage.Update, Now));
        Assert.Empty(BulletinLifecycle.Owed(s));

        var following = Issued(message: BulletinMessage.Update);
        following.PredecessorPending = true;
        Assert.Equal(ErrorKind.Unavailable, Assert.Throws<CoordinationException>(() => BulletinLifecycle.Supersede(following, "oslo.b1", "oslo.b3", BulletinMessage.Cancel, Now)).Code);
        Assert.Null(following.SupersededBy);
    }

    [Fact]
    public void At_the_deadline_a_company_not_yet_reached_is_missing_but_gets_only_its_first_delivery()
    {
        var s = Issued();
        BulletinLifecycle.Delivered(s.Recipients[0], BulletinEventKind.Issued, Now);
        Assert.True(BulletinLifecycle.PassDeadline(s, Now.AddMinutes(5)));
        Assert.Equal([("alfa", BulletinEventKind.Resent), ("bravo", BulletinEventKind.Issued)], BulletinLifecycle.Owed(s).Select(o => (o.Recipient.CompanyId, o.Kind)));
        Assert.True(s.Recipients[1].MissingAtDeadline);
    }

    [Fact]
    public void Expiry_ends_an_outstanding_bulletin_and_owes_the_end_only_to_companies_it_reached()
    {
        var s = Issued();
        BulletinLifecycle.Delivered(s.Recipients[0], BulletinEventKind.Issued, Now);
        Assert.False(BulletinLifecycle.Expire(s, Now.AddHours(1)));
        Assert.True(BulletinLifecycle.Expire(s, Now.AddHours(2)));
        Assert.Equal(BulletinState.Expired, s.State);
        Assert.Equal([("alfa", BulletinEventKind.Ended)], BulletinLifecycle.Owed(s).Select(o => (o.Recipient.CompanyId, o.Kind)));
        Assert.False(BulletinLifecycle.Expire(s, Now.AddHours(3)));
    }

    [Fact]
    public void The_free_text_is_erased_after_the_retention_time_from_the_end_and_the_hash_stays()
    {
        var s = Issued();
        s.ContentSha256 = BulletinLifecycle.ContentSha256(s.Command!);
        Assert.True(BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(AcknowledgementKind.CannotAct, 0, "no guard near"), Now));
        Assert.Null(BulletinLifecycle.EraseAt(s, Retention));
        Assert.True(BulletinLifecycle.Supersede(s, "oslo.b1", "oslo.b2", BulletinMessage.AllClear, Now));
        Assert.Equal(Now + Retention, BulletinLifecycle.EraseAt(s, Retention));
        Assert.Equal(Now + Retention, BulletinLifecycle.NextDue(s, Retention));
        Assert.False(BulletinLifecycle.Erase(s, Now + Retention - TimeSpan.FromSeconds(1), Retention));
        Assert.True(BulletinLifecycle.Erase(s, Now + Retention, Retention));
        Assert.Equal(("", null, null, null), (s.Command!.Headline, s.Command.Description, s.Command.Instruction, s.Recipients[0].Acknowledgement!.Text));
        Assert.Equal(AcknowledgementKind.CannotAct, s.Recipients[0].Acknowledgement!.Kind);
        Assert.Equal(64, s.ContentSha256.Length);
        Assert.Null(BulletinLifecycle.NextDue(s, Retention));
    }

    [Fact]
    public void A_chain_is_taken_over_once_the_same_successor_again_is_a_no_op_and_another_is_refused()
    {
        var s = Issued();
        Assert.Equal(Now.AddMinutes(5), BulletinLifecycle.NextDue(s, Retention));
        Assert.True(BulletinLifecycle.Supersede(s, "oslo.b1", "oslo.b2", BulletinMessage.Update, Now));
        Assert.False(BulletinLifecycle.Supersede(s, "oslo.b1", "oslo.b2", BulletinMessage.Update, Now));
        var refused = Assert.Throws<CoordinationException>(() => BulletinLifecycle.Supersede(s, "oslo.b1", "oslo.b3", BulletinMessage.Cancel, Now));
        Assert.Equal(ErrorKind.FailedPrecondition, refused.Code);
        Assert.Contains("oslo.b2", refused.Message);
        Assert.Equal((BulletinState.Updated, "oslo.b2"), (s.State, s.SupersededBy));

        // An updated bulletin's deadline and expiry no longer apply; only its erasure does.
        Assert.False(BulletinLifecycle.PassDeadline(s, Now.AddHours(1)));
        Assert.Equal(Now + Retention, BulletinLifecycle.NextDue(s, Retention));
    }

    [Theory]
    [InlineData(AcknowledgementKind.Relayed, 0, null, Tlp.Amber, ErrorKind.InvalidArgument)]
    [InlineData(AcknowledgementKind.Received, 2, null, Tlp.Amber, ErrorKind.InvalidArgument)]
    [InlineData(AcknowledgementKind.CannotAct, 0, " ", Tlp.Amber, ErrorKind.InvalidArgument)]
    [InlineData(AcknowledgementKind.Relayed, 3, null, Tlp.Red, ErrorKind.FailedPrecondition)]
    [InlineData((AcknowledgementKind)9, 0, null, Tlp.Amber, ErrorKind.InvalidArgument)]
    public void An_acknowledgement_that_says_what_cannot_be_is_refused(AcknowledgementKind kind, int units, string? text, Tlp tlp, ErrorKind expected)
    {
        var s = Issued(tlp: tlp);
        var refused = Assert.Throws<CoordinationException>(() => BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(kind, units, text), Now));
        Assert.Equal(expected, refused.Code);
        Assert.Null(s.Recipients[0].Acknowledgement);
    }

    [Fact]
    public void Only_a_recipient_acknowledges_the_same_answer_again_is_no_change_and_the_first_time_stays()
    {
        var s = Issued();
        Assert.Equal(ErrorKind.PermissionDenied, Assert.Throws<CoordinationException>(() => BulletinLifecycle.Acknowledge(s, "oslo.b1", "charlie", new Acknowledgement(AcknowledgementKind.Received, 0, null), Now)).Code);
        Assert.True(BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(AcknowledgementKind.Received, 0, null), Now));
        Assert.False(BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(AcknowledgementKind.Received, 0, null), Now.AddMinutes(1)));
        Assert.True(BulletinLifecycle.Acknowledge(s, "oslo.b1", "alfa", new Acknowledgement(AcknowledgementKind.Relayed, 4, null), Now.AddMinutes(2)));
        Assert.Equal((AcknowledgementKind.Relayed, Now), (s.Recipients[0].Acknowledgement!.Kind, s.Recipients[0].AcknowledgedAt));
        BulletinLifecycle.Expire(s, Now.AddHours(2));
        Assert.Equal(ErrorKind.FailedPrecondition, Assert.Throws<CoordinationException>(() => BulletinLifecycle.Acknowledge(s, "oslo.b1", "bravo", new Acknowledgement(AcknowledgementKind.Received, 0, null), Now.AddHours(3))).Code);
    }

    [Fact]
    public void A_feed_numbers_each_delivery_once_follows_chains_and_resumes_after_a_sequence()
    {
        var feed = new BulletinFeed(new CompanyBulletinsState());
        var expires = Now.AddHours(2);
        Assert.Equal((1, true), Seq(feed.Record(new("oslo.a", "oslo.a", BulletinEventKind.Issued, expires))));
        Assert.Equal((1, false), Seq(feed.Record(new("oslo.a", "oslo.a", BulletinEventKind.Issued, expires))));
        Assert.Equal((2, true), Seq(feed.Record(new("oslo.b", "oslo.b", BulletinEventKind.Issued, expires))));
        Assert.Equal((3, true), Seq(feed.Record(new("oslo.a2", "oslo.a", BulletinEventKind.Updated, expires))));
        Assert.Equal(["oslo.b", "oslo.a2"], feed.Outstanding(Now));
        Assert.Equal((4, true), Seq(feed.Record(new("oslo.a3", "oslo.a", BulletinEventKind.Ended, expires))));
        Assert.Equal(["oslo.b"], feed.Outstanding(Now));
        Assert.Empty(feed.Outstanding(expires));

        var resumed = feed.Start(2, Now);
        Assert.False(resumed.Restarted);
        Assert.Equal([3L, 4L], resumed.Events.Select(e => e.Sequence));
        var fresh = feed.Start(0, Now);
        Assert.Equal([(2L, BulletinEventKind.Outstanding, "oslo.b")], fresh.Events.Select(e => (e.Sequence, e.Kind, e.BulletinId)));
        Assert.True(feed.Start(99, Now).Restarted);
        Assert.Empty(feed.Start(4, Now).Events);
    }

    [Fact]
    public void A_feed_further_back_than_it_holds_starts_again_from_the_outstanding_list_and_still_recognises_an_outstanding_delivery()
    {
        var feed = new BulletinFeed(new CompanyBulletinsState());
        var expires = Now.AddHours(2);
        feed.Record(new("oslo.keep", "oslo.keep", BulletinEventKind.Issued, expires));
        for (var i = 0; i < BulletinFeed.RecentHeld + 10; i++)
        {
            feed.Record(new($"oslo.x{i}", $"oslo.x{i}", BulletinEventKind.Ended, expires));
        }

        var start = feed.Start(1, Now);
        Assert.True(start.Restarted);
        Assert.Equal([(1L, "oslo.keep")], start.Events.Select(e => (e.Sequence, e.BulletinId)));

        // Its delivery fell out of the recent events, but it is outstanding: a repeat still records nothing.
        Assert.False(feed.Record(new("oslo.keep", "oslo.keep", BulletinEventKind.Issued, expires)).New);
    }

    [Fact]
    public void A_district_lists_bulletins_newest_first_wakes_outstanding_and_due_ones_and_shows_lines_only_for_outstanding()
    {
        var stored = new DistrictState();
        var board = new BulletinBoard(stored);
        Assert.True(board.Recorded("oslo.a", outstanding: true, wakeAt: null));
        Assert.False(board.Recorded("oslo.a", outstanding: true, wakeAt: null));
        Assert.True(board.Recorded("oslo.b", outstanding: true, wakeAt: null));
        Assert.Equal(["oslo.b", "oslo.a"], board.List(includeEnded: false));
        Assert.True(board.Recorded("oslo.a", outstanding: false, wakeAt: Now.AddDays(30)));
        Assert.Equal(["oslo.b"], board.List(includeEnded: false));
        Assert.Equal(["oslo.b", "oslo.a"], board.List(includeEnded: true));
        Assert.Equal(["oslo.b"], board.Due(Now));
        Assert.Equal(["oslo.a", "oslo.b"], board.Due(Now.AddDays(30)).Order());
        Assert.True(board.NeedWaking);

        var line = new BulletinSummary("oslo.a", "wanted-vehicle", "h", Tlp.Green, BulletinStatus.Actual, BulletinArea.OfDistricts("oslo"), BulletinState.Outstanding, 2, 2, 1, 0, false, null, Now.AddHours(2), ["oslo"]);
        Assert.False(board.Show(line));
        Assert.True(board.Show(line with { Id = "oslo.b" }));
        Assert.False(board.Show(line with { Id = "oslo.b" }));
        Assert.True(board.Show(line with { Id = "oslo.b", Acknowledged = 2 }));
        Assert.Single(board.Lines);
        Assert.True(board.Recorded("oslo.b", outstanding: false, wakeAt: null));
        Assert.Empty(board.Lines);
    }

    [Fact]
    public void The_companies_in_an_area_are_those_with_a_unit_inside_it_that_fits_the_audience()
    {
        UnitContribution Unit(string key, double lat, double lon, UnitStatus status = UnitStatus.Available, string capability = "patrol", bool withdrawn = false) =>
            new(key, 1, status, 2, [capability], status == UnitStatus.Available, false, withdrawn, new GeoPoint(lat, lon));
        var units = new[]
        {
            Unit("alfa/1", 59.912, 10.753),
            Unit("alfa/2", 59.913, 10.754),
            Unit("bravo/1", 59.913, 10.754, UnitStatus.OutOfService),
            Unit("charlie/1", 59.913, 10.754, capability: "cctv-monitoring"),
            Unit("delta/1", 60.39, 5.32),
            Unit("echo/1", 59.912, 10.753, withdrawn: true),
        };
        var circle = BulletinArea.OfCircle(new GeoPoint(59.9111, 10.7528), 2);
        Assert.Equal(["alfa", "bravo", "charlie"], BulletinBoard.CompaniesInArea(units, "oslo", circle, null, onDutyOnly: false));
        Assert.Equal(["alfa", "charlie"], BulletinBoard.CompaniesInArea(units, "oslo", circle, null, onDutyOnly: true));
        Assert.Equal(["charlie"], BulletinBoard.CompaniesInArea(units, "oslo", circle, "cctv-monitoring", onDutyOnly: false));
        Assert.Equal(["alfa", "bravo", "charlie", "delta"], BulletinBoard.CompaniesInArea(units, "oslo", BulletinArea.OfDistricts("oslo"), null, false));
        Assert.Empty(BulletinBoard.CompaniesInArea(units, "oslo", BulletinArea.OfDistricts("vest"), null, false));
    }

    private static (long, bool) Seq((BulletinFeedEvent Event, bool New) recorded) => (recorded.Event.Sequence, recorded.New);
}
