using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>A request's room, keep and settle rules, without a cluster: where "never over-filled" lives.</summary>
public sealed class RequestFillTests
{
    private static RequestFill Fill(int asked, int committed = 0, int pending = 0, bool allowPartial = false, RequestStatus status = RequestStatus.Seeking, bool holdsUnits = false) =>
        new(status, asked, committed, pending, holdsUnits, allowPartial);

    private sealed record Unit(string Key, int Guards);

    [Theory]
    [InlineData(4, 0, 0, 4)]
    [InlineData(4, 1, 2, 1)]
    [InlineData(4, 2, 2, 0)] // exactly covered
    [InlineData(4, 4, 0, 0)] // exactly full
    [InlineData(4, 3, 2, -1)] // covered and more: no new offer (Allocate asks only while above zero)
    public void New_offers_ask_only_for_what_is_neither_committed_nor_pending(int asked, int committed, int pending, int need) =>
        Assert.Equal(need, Fill(asked, committed, pending).Need);

    [Theory]
    [InlineData(4, 0, 3, 3)] // the offer is the limit
    [InlineData(4, 2, 3, 2)] // what the request still lacks is the limit
    [InlineData(4, 4, 3, 0)] // full: no room at all
    [InlineData(4, 1, 3, 3)] // exactly the offer
    public void An_answer_may_commit_at_most_its_offer_and_what_is_not_yet_committed(int asked, int committed, int offer, int room) =>
        Assert.Equal(room, Fill(asked, committed, pending: offer).RoomFor(offer));

    [Fact]
    public void Units_that_fill_the_room_exactly_are_all_kept()
    {
        var keeping = Fill(4, pending: 4).Keep<Unit>(4, [new("a", 2), new("b", 2)], u => u.Guards, allOrNothing: true, anyFailed: false);

        Assert.Equal(["a", "b"], keeping.Kept.Select(u => u.Key));
        Assert.Empty(keeping.Released);
        Assert.Equal(4, keeping.KeptGuards);
        Assert.False(keeping.Refused);
    }

    [Fact]
    public void A_unit_one_guard_over_the_room_is_released_and_a_smaller_one_after_it_still_kept()
    {
        var keeping = Fill(4, committed: 1, pending: 3).Keep<Unit>(3, [new("a", 2), new("b", 2), new("c", 1)], u => u.Guards, allOrNothing: false, anyFailed: false);

        Assert.Equal(["a", "c"], keeping.Kept.Select(u => u.Key));
        Assert.Equal(["b"], keeping.Released.Select(u => u.Key));
        Assert.Equal(3, keeping.KeptGuards);
        Assert.False(keeping.Refused);
    }

    [Fact]
    public void A_full_request_keeps_nothing_an_automatic_answer_committed()
    {
        var keeping = Fill(2, committed: 2, pending: 2).Keep<Unit>(2, [new("a", 1)], u => u.Guards, allOrNothing: false, anyFailed: false);

        Assert.Empty(keeping.Kept);
        Assert.Equal(["a"], keeping.Released.Select(u => u.Key));
        Assert.Equal(0, keeping.KeptGuards);
        Assert.False(keeping.Refused);
    }

    [Fact]
    public void An_all_or_nothing_answer_with_a_unit_too_many_keeps_none_and_releases_all()
    {
        var keeping = Fill(3, pending: 3).Keep<Unit>(3, [new("a", 2), new("b", 2)], u => u.Guards, allOrNothing: true, anyFailed: false);

        Assert.True(keeping.Refused);
        Assert.Empty(keeping.Kept);
        Assert.Equal(["a", "b"], keeping.Released.Select(u => u.Key));
    }

    [Fact]
    public void An_all_or_nothing_answer_with_a_failed_unit_keeps_none_but_an_automatic_one_keeps_the_rest()
    {
        var named = Fill(4, pending: 4).Keep<Unit>(4, [new("a", 2)], u => u.Guards, allOrNothing: true, anyFailed: true);
        var automatic = Fill(4, pending: 4).Keep<Unit>(4, [new("a", 2)], u => u.Guards, allOrNothing: false, anyFailed: true);

        Assert.True(named.Refused);
        Assert.Equal(["a"], named.Released.Select(u => u.Key));
        Assert.False(automatic.Refused);
        Assert.Equal(["a"], automatic.Kept.Select(u => u.Key));
    }

    [Fact]
    public void No_unit_committed_keeps_nothing_and_refuses_nothing()
    {
        var keeping = Fill(4, pending: 4).Keep(4, Array.Empty<Unit>(), u => u.Guards, allOrNothing: false, anyFailed: false);

        Assert.Empty(keeping.Kept);
        Assert.Empty(keeping.Released);
        Assert.False(keeping.Refused);
    }

    [Fact]
    public void A_request_with_an_offer_pending_or_no_longer_seeking_is_not_settled()
    {
        Assert.Null(Fill(4, committed: 4, pending: 1).Settle(null));
        Assert.Null(Fill(4, committed: 4, status: RequestStatus.Filled).Settle(null));
        Assert.Null(Fill(4, status: RequestStatus.Cancelled).Settle(null));
    }

    [Fact]
    public void Every_guard_committed_is_filled_and_one_short_is_not()
    {
        Assert.Equal(new Settlement(RequestStatus.Filled, 4, null), Fill(4, committed: 4).Settle(null));
        Assert.Equal(RequestStatus.UnableToFill, Fill(4, committed: 3).Settle(null)!.Status);
    }

    [Fact]
    public void Some_guards_committed_with_partial_fill_allowed_is_partly_filled_naming_what_is_missing() =>
        Assert.Equal(new Settlement(RequestStatus.PartiallyFilled, 1, "1 of 4 guards could not be found"), Fill(4, committed: 3, allowPartial: true).Settle(null));

    [Fact]
    public void Nothing_committed_is_unable_to_fill_even_when_partial_fill_is_allowed() =>
        Assert.Equal(new Settlement(RequestStatus.UnableToFill, 4, "no available units with this capability"), Fill(4, allowPartial: true).Settle(null));

    [Fact]
    public void Unable_to_fill_says_why()
    {
        Assert.Equal("only 3 of 4 guards could be found and partial fill is not allowed", Fill(4, committed: 3).Settle(10)!.Reason);
        Assert.Equal(
            "no available unit small enough: units are not split, and the smallest available unit with this capability has 10 guards",
            Fill(8).Settle(10)!.Reason);
    }

    [Theory]
    [InlineData(RequestStatus.Filled, false, 0, true)]
    [InlineData(RequestStatus.PartiallyFilled, false, 0, true)]
    [InlineData(RequestStatus.Filled, true, 0, false)] // still holds a unit
    [InlineData(RequestStatus.Filled, false, 1, false)] // an offer still pending
    [InlineData(RequestStatus.Seeking, false, 0, false)]
    [InlineData(RequestStatus.UnableToFill, false, 0, false)]
    [InlineData(RequestStatus.Cancelled, false, 0, false)]
    public void A_settled_request_completes_once_it_holds_nothing_and_waits_on_nothing(RequestStatus status, bool holdsUnits, int pending, bool completes) =>
        Assert.Equal(completes, Fill(4, committed: 4, pending: pending, status: status, holdsUnits: holdsUnits).Completes);

    [Fact]
    public void Released_guards_still_count_as_committed_so_a_release_never_reopens_a_request()
    {
        var request = new CapacityRequestState
        {
            Command = new RequestCapacity("r1", "patrol", 2, new GeoPoint(60, 10), DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), false, false, "police:oslo"),
            Status = RequestStatus.Filled,
            Offers = [new OfferState { OfferId = "o1", CompanyId = "c", Guards = 2, Status = OfferStatus.Committed, CommittedGuards = 2 }],
            Assignments = [new AssignmentState { UnitKey = "c/u1", OfferId = "o1", Guards = 2, Status = AssignmentStatus.Released }],
        };

        var fill = RequestFill.Of(request);

        Assert.Equal((2, 0, 0, false), (fill.EverCommitted, fill.Pending, fill.Need, fill.HoldsUnits));
        Assert.True(fill.Completes);
    }
}
