using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>Which candidates get which offers, without a cluster.</summary>
public sealed class OfferPlannerTests
{
    private static readonly GeoPoint Oslo = ReferenceData.Current.DistrictsById["oslo"].Position;

    private static CapacityRequestState Request(int guards, bool allowNeighbours = false, params OfferState[] offers) => new()
    {
        Command = new RequestCapacity("r1", "patrol", guards, Oslo, DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), false, allowNeighbours, "police:oslo"),
        Offers = [.. offers],
    };

    private static Candidate Unit(string company, string unit, int guards) => new(UnitKey.Of(company, unit), guards, 1.0);

    [Fact]
    public void The_first_company_gets_as_many_of_its_units_as_fit_in_candidate_order()
    {
        var planner = new OfferPlanner(Request(3));

        var offer = planner.Choose([Unit("c2", "x", 2), Unit("c1", "a", 1), Unit("c2", "y", 2), Unit("c2", "z", 1)]);

        Assert.Equal("c2", offer!.CompanyId);
        Assert.Equal([UnitKey.Of("c2", "x"), UnitKey.Of("c2", "z")], offer.UnitKeys);
        Assert.Equal(3, offer.Guards);
    }

    [Fact]
    public void Units_that_fill_the_need_exactly_are_all_offered()
    {
        var offer = new OfferPlanner(Request(4)).Choose([Unit("c1", "a", 2), Unit("c1", "b", 2)]);

        Assert.Equal((2, 4), (offer!.UnitKeys.Length, offer.Guards));
    }

    [Fact]
    public void A_unit_one_guard_larger_than_the_need_is_not_offered_and_the_next_company_is()
    {
        var planner = new OfferPlanner(Request(3));
        var offer = planner.Choose([Unit("c1", "big", 4), Unit("c2", "small", 3)]);

        Assert.Equal(("c2", 3), (offer!.CompanyId, offer.Guards));
        Assert.Equal(4, planner.SmallestTooLarge([Unit("c1", "big", 4), Unit("c2", "small", 3)]));
    }

    [Fact]
    public void When_every_unit_is_too_large_there_is_no_offer_and_the_smallest_of_them_is_named()
    {
        var planner = new OfferPlanner(Request(3));
        Candidate[] candidates = [Unit("c1", "a", 10), Unit("c2", "b", 5), Unit("c2", "c", 7)];

        Assert.Null(planner.Choose(candidates));
        Assert.Equal(5, planner.SmallestTooLarge(candidates));
    }

    [Fact]
    public void No_candidates_is_no_offer_and_nothing_too_large()
    {
        var planner = new OfferPlanner(Request(3));

        Assert.Null(planner.Choose([]));
        Assert.Null(planner.SmallestTooLarge([]));
    }

    [Fact]
    public void The_need_counts_pending_offers_so_an_offer_never_asks_for_more_than_is_left()
    {
        var planner = new OfferPlanner(Request(4, false, new OfferState { OfferId = "o1", CompanyId = "c1", Guards = 3, SuggestedUnits = [UnitKey.Of("c1", "a")] }));

        Assert.Equal(1, planner.Need);
        Assert.Equal(1, planner.Choose([Unit("c2", "x", 2), Unit("c2", "y", 1)])!.Guards);
    }

    [Fact]
    public void A_company_answering_by_hand_is_asked_once_and_one_with_an_agreement_again_once_its_offer_is_answered()
    {
        var planner = new OfferPlanner(Request(
            10,
            false,
            new OfferState { OfferId = "o1", CompanyId = "byhand", Guards = 1, Status = OfferStatus.Declined },
            new OfferState { OfferId = "o2", CompanyId = "agreement", Guards = 1, Status = OfferStatus.Committed, Automatic = true, SuggestedUnits = [UnitKey.Of("agreement", "a")] },
            new OfferState { OfferId = "o3", CompanyId = "pending", Guards = 1, Automatic = true, SuggestedUnits = [UnitKey.Of("pending", "b")] }));

        Assert.Equal(["byhand", "pending"], planner.AskedCompanies.Order());
    }

    [Fact]
    public void Units_suggested_in_any_offer_or_assigned_are_not_tried_again()
    {
        var request = Request(
            10,
            false,
            new OfferState { OfferId = "o1", CompanyId = "c1", Guards = 2, Status = OfferStatus.Expired, SuggestedUnits = [UnitKey.Of("c1", "a"), UnitKey.Of("c1", "b")] },
            new OfferState { OfferId = "o2", CompanyId = "c2", Guards = 1, Status = OfferStatus.Committed, Automatic = true, SuggestedUnits = [UnitKey.Of("c2", "x")] });
        request.Assignments.Add(new AssignmentState { UnitKey = UnitKey.Of("c2", "x"), OfferId = "o2", Guards = 1 });

        Assert.Equal([UnitKey.Of("c1", "a"), UnitKey.Of("c1", "b"), UnitKey.Of("c2", "x")], new OfferPlanner(request).TriedUnits);
    }

    [Fact]
    public void Only_the_home_district_is_asked_unless_neighbours_are_allowed()
    {
        Assert.Equal(["oslo"], OfferPlanner.Districts("oslo", Request(1).Command, ReferenceData.Current));
    }

    [Fact]
    public void Neighbours_follow_the_home_district_nearest_to_the_request_first()
    {
        // Innlandet's six neighbours, from a request near Bergen: not the order the reference data lists them in.
        var data = ReferenceData.Current;
        var command = Request(1, allowNeighbours: true).Command with { Location = data.DistrictsById["vest"].Position };

        var districts = OfferPlanner.Districts("innlandet", command, data);

        Assert.Equal("innlandet", districts[0]);
        Assert.Equal("vest", districts[1]);
        Assert.Equal(data.DistrictsById["innlandet"].Neighbours.Order(), districts.Skip(1).Order());
        var distances = districts.Skip(1).Select(d => Geo.DistanceKm(command.Location, data.DistrictsById[d].Position)).ToList();
        Assert.Equal(distances.Order(), distances);
    }

    [Fact]
    public void The_candidates_a_district_answers_with_give_the_same_offer_and_the_same_explanation_as_its_whole_list()
    {
        // Random lists: several companies interleaved, units of 1 to 6 guards, needs of 1 to 6.
        var random = new Random(13);
        for (var round = 0; round < 2_000; round++)
        {
            var need = random.Next(1, 7);
            var ranked = Enumerable.Range(0, random.Next(0, 40))
                .Select(i => Unit($"c{random.Next(0, 6)}", $"u{i}", random.Next(1, 7)))
                .ToList();
            var planner = new OfferPlanner(Request(need));

            var useful = OfferPlanner.Useful(ranked, need);

            var whole = planner.Choose(ranked);
            var trimmed = planner.Choose(useful);
            Assert.Equal((whole?.CompanyId, whole?.Guards), (trimmed?.CompanyId, trimmed?.Guards));
            Assert.Equal(whole?.UnitKeys ?? [], trimmed?.UnitKeys ?? []);
            Assert.Equal(planner.SmallestTooLarge(ranked), planner.SmallestTooLarge(useful));
            Assert.True(useful.Count <= ranked.Count);
        }
    }

    [Fact]
    public void A_company_first_seen_with_a_unit_too_large_is_still_the_one_chosen_when_a_later_unit_of_it_fits()
    {
        // c1 appears first (too large), c2 next (fits), c1 again (fits): Choose groups by first appearance, so c1.
        List<Candidate> ranked = [Unit("c1", "big", 5), Unit("c2", "a", 1), Unit("c1", "small", 1), Unit("c3", "b", 1)];

        var useful = OfferPlanner.Useful(ranked, need: 2);

        Assert.Equal([UnitKey.Of("c1", "big"), UnitKey.Of("c1", "small")], useful.Select(c => c.UnitKey));
        Assert.Equal("c1", new OfferPlanner(Request(2)).Choose(useful)!.CompanyId);
    }
}
