using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>A district's matching of units to a request, without a cluster.</summary>
public sealed class CandidateMatcherTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(2);

    private readonly CapacityTally _tally = new();
    private readonly LendingLedger _lending = new(HoldFor, TimeSpan.FromSeconds(10));

    private CandidateMatcher Matcher(int reserve = 0) =>
        new(new District("home", "Home", "HQ", 60, 10, ["other"], reserve), _tally, _lending, HoldFor);

    // Units placed north of the district's headquarters, `north` hundredths of a degree away.
    private void Available(string unit, int guards = 1, double north = 1, string company = "c1", string capability = "patrol") =>
        _tally.Apply(new UnitContribution(UnitKey.Of(company, unit), 1, UnitStatus.Available, guards, [capability], CountedAvailable: true, Stale: false, Withdrawn: false, new GeoPoint(60 + (north / 100), 10)));

    private void OnExercise(string unit, int guards = 1, double north = 1) =>
        _tally.Apply(new UnitContribution(UnitKey.Of("c1", unit), 1, UnitStatus.Committed, guards, ["patrol"], CountedAvailable: false, Stale: false, Withdrawn: false, new GeoPoint(60 + (north / 100), 10), OnYieldingExercise: true));

    private static CandidateQuery Query(int guards = 1, string forDistrict = "home", string forRequest = "i1/r1", bool takeFromExercises = false) => new()
    {
        Capability = "patrol",
        Location = new GeoPoint(60, 10),
        ForDistrict = forDistrict,
        ForRequest = forRequest,
        Guards = guards,
        TakeFromExercises = takeFromExercises,
    };

    private static string[] Units(IEnumerable<Candidate> candidates) => [.. candidates.Select(c => UnitKey.Parse(c.UnitKey).UnitId)];

    [Fact]
    public void Units_with_the_capability_come_nearest_first()
    {
        Available("far", north: 3);
        Available("near", north: 1);
        Available("middle", north: 2);
        Available("boat", north: 0.5, capability: "maritime");

        var candidates = Matcher().Find(Query(), Now);

        Assert.Equal(["near", "middle", "far"], Units(candidates));
        Assert.True(candidates[0].DistanceKm < candidates[1].DistanceKm);
    }

    [Fact]
    public void Units_on_a_yielding_exercise_follow_the_available_ones_and_only_for_a_real_incident()
    {
        OnExercise("exercise", north: 0.1);
        Available("free", north: 5);

        Assert.Equal(["free"], Units(Matcher().Find(Query(), Now)));
        var real = Matcher().Find(Query(takeFromExercises: true), Now);
        Assert.Equal(["free", "exercise"], Units(real));
        Assert.True(real[1].OnYieldingExercise);
    }

    [Fact]
    public void Units_and_companies_already_tried_are_left_out()
    {
        Available("a", company: "c1");
        Available("b", company: "c1");
        Available("x", company: "c2");

        var candidates = Matcher().Find(Query() with { ExcludedUnits = new HashSet<string> { UnitKey.Of("c1", "a") }, ExcludedCompanies = new HashSet<string> { "c2" } }, Now);

        Assert.Equal(["b"], Units(candidates));
    }

    [Fact]
    public void Units_covering_exactly_the_guards_asked_are_held_for_the_request_and_others_see_them_last()
    {
        Available("a", north: 1);
        Available("b", north: 2);
        Available("c", north: 3);
        var matcher = Matcher();

        Assert.Equal(["a", "b", "c"], Units(matcher.Find(Query(guards: 2, forRequest: "i1/r1"), Now)));

        Assert.Equal(["c", "a", "b"], Units(matcher.Find(Query(guards: 1, forRequest: "i2/r1"), Now)));
        Assert.Equal(["a", "b", "c"], Units(matcher.Find(Query(guards: 2, forRequest: "i1/r1"), Now)));
    }

    [Fact]
    public void When_more_units_are_held_than_a_list_holds_the_free_ones_still_come_first_nearest_first()
    {
        // The nearest 100 are handed to one request; 30 free ones lie further out. Another request must
        // get the 30 free ones first, then the held ones nearest first, up to the longest list.
        for (var i = 1; i <= 130; i++)
        {
            Available($"u{i:D3}", north: i);
        }

        var matcher = Matcher();
        var first = Units(matcher.Find(Query(guards: 100, forRequest: "i1/r1"), Now));
        Assert.Equal([.. Enumerable.Range(1, CandidateMatcher.MaxCandidates).Select(i => $"u{i:D3}")], first);

        // Only the first 64 listed were held (the list's length): hold the rest of the nearest 100 too.
        matcher.Find(Query(guards: 36, forRequest: "i1/r1") with { ExcludedUnits = first.Select(u => UnitKey.Of("c1", u)).ToHashSet() }, Now);

        var second = Units(matcher.Find(Query(guards: 1, forRequest: "i2/r1"), Now));
        string[] expected = [.. Enumerable.Range(101, 30).Select(i => $"u{i:D3}"), .. Enumerable.Range(1, CandidateMatcher.MaxCandidates - 30).Select(i => $"u{i:D3}")];
        Assert.Equal(expected, second);
    }

    [Fact]
    public void Asked_for_what_an_offer_can_use_the_district_answers_what_the_planner_would_keep_of_the_whole_list()
    {
        // Two companies interleaved, units of 1-4 guards: for a need of 2, the first company with a unit
        // that fits and the smallest unit too large; the holds are placed on the whole list as before.
        for (var i = 1; i <= 40; i++)
        {
            Available($"u{i:D2}", guards: 1 + (i * 7 % 4), north: i, company: i % 3 == 0 ? "c2" : "c1");
        }

        var whole = Matcher().Find(Query(guards: 2, forRequest: "i1/r1"), Now);
        var useful = Matcher().Find(Query(guards: 2, forRequest: "i1/r1"), Now, usefulFor: 2);

        Assert.Equal(OfferPlanner.Useful(whole, 2), useful);
        Assert.True(useful.Count < whole.Count);
        Assert.All(useful, c => Assert.Equal(whole.Single(w => w.UnitKey == c.UnitKey).DistanceKm, c.DistanceKm));
    }

    [Fact]
    public void A_held_unit_stays_held_when_its_newer_report_replaces_it()
    {
        Available("a", north: 1);
        Available("b", north: 2);
        var matcher = Matcher();
        matcher.Find(Query(guards: 1, forRequest: "i1/r1"), Now);

        // The unit reports again (a newer contribution, still available): the district replaces its entry.
        Assert.True(_tally.Apply(new UnitContribution(UnitKey.Of("c1", "a"), 2, UnitStatus.Available, 1, ["patrol"], CountedAvailable: true, Stale: false, Withdrawn: false, new GeoPoint(60.01, 10))));

        Assert.Equal(["b", "a"], Units(matcher.Find(Query(guards: 0, forRequest: "i2/r1"), Now)));
    }

    [Fact]
    public void A_hold_lasts_at_least_the_hold_time_and_is_gone_two_hold_times_later()
    {
        // A hold ends at its time (it is kept beside the unit in the pool and read with the time of the query).
        Available("a", north: 1);
        Available("b", north: 2);
        var matcher = Matcher();
        matcher.Find(Query(guards: 1, forRequest: "i1/r1"), Now);

        Assert.Equal(["b", "a"], Units(matcher.Find(Query(guards: 0, forRequest: "i2/r1"), Now + HoldFor - TimeSpan.FromMilliseconds(1))));
        Assert.Equal(["a", "b"], Units(matcher.Find(Query(guards: 0, forRequest: "i3/r1"), Now + (2 * HoldFor))));
    }

    [Fact]
    public void Another_district_is_offered_guards_down_to_the_reserve_and_not_one_more()
    {
        for (var i = 1; i <= 5; i++)
        {
            Available($"u{i}", north: i);
        }

        Assert.Equal(5, Matcher(reserve: 2).Find(Query(guards: 5), Now).Count); // its own district: no reserve
        Assert.Equal(["u1", "u2", "u3"], Units(Matcher(reserve: 2).Find(Query(guards: 5, forDistrict: "other"), Now)));
        Assert.Empty(Matcher(reserve: 5).Find(Query(guards: 5, forDistrict: "other"), Now));
    }

    [Fact]
    public void Guards_already_promised_to_another_request_are_not_offered_again()
    {
        for (var i = 1; i <= 5; i++)
        {
            Available($"u{i}", north: i);
        }

        var matcher = Matcher(reserve: 2);
        Assert.Equal(3, matcher.Find(Query(guards: 3, forDistrict: "other", forRequest: "i1/r1"), Now).Count);

        Assert.Empty(matcher.Find(Query(guards: 1, forDistrict: "other", forRequest: "i2/r1"), Now));
        Assert.Equal(3, matcher.Find(Query(guards: 3, forDistrict: "other", forRequest: "i1/r1"), Now).Count);
    }

    [Fact]
    public void A_unit_too_large_for_what_may_be_lent_is_skipped_and_a_smaller_one_further_away_listed()
    {
        Available("big", guards: 2, north: 1);
        Available("also-big", guards: 2, north: 2);
        Available("small", guards: 1, north: 3);

        // Five available, a reserve of two: three may be lent.
        Assert.Equal(["big", "small"], Units(Matcher(reserve: 2).Find(Query(guards: 3, forDistrict: "other"), Now)));
    }

    [Fact]
    public void At_most_the_longest_list_is_returned_nearest_first()
    {
        for (var i = 1; i <= CandidateMatcher.MaxCandidates + 1; i++)
        {
            Available($"u{i:D3}", north: i / 10.0);
        }

        var candidates = Matcher().Find(Query(), Now);

        Assert.Equal(CandidateMatcher.MaxCandidates, candidates.Count);
        Assert.DoesNotContain(UnitKey.Of("c1", $"u{CandidateMatcher.MaxCandidates + 1:D3}"), candidates.Select(c => c.UnitKey));
    }

    [Fact]
    public void When_lending_skips_every_near_unit_the_whole_district_is_looked_through()
    {
        // More units near than the first look takes, all too large to lend; three small ones beyond them.
        var near = CandidateMatcher.MaxCandidates * 2;
        for (var i = 1; i <= near; i++)
        {
            Available($"near{i}", guards: 5, north: i / 100.0);
        }

        for (var i = 1; i <= 3; i++)
        {
            Available($"far{i}", guards: 1, north: 50 + i);
        }

        var candidates = Matcher(reserve: (near * 5) + 3 - 3).Find(Query(guards: 3, forDistrict: "other"), Now);

        Assert.Equal(["far1", "far2", "far3"], Units(candidates));
    }
}
