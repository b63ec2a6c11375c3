using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>What a request asks a district for (see <see cref="IDistrictGrain.FindCandidates"/>).</summary>
internal sealed record CandidateQuery
{
    public required string Capability { get; init; }

    public required GeoPoint Location { get; init; }

    /// <summary>The district of the incident asking: when it is not this one, the answer stops short of this district's protected reserve.</summary>
    public required string ForDistrict { get; init; }

    /// <summary>The request (<c>incident/request</c>) the first units are held for.</summary>
    public required string ForRequest { get; init; }

    /// <summary>Guards the request still needs: the first units covering them are held for it.</summary>
    public required int Guards { get; init; }

    /// <summary>Units already tried by this request.</summary>
    public IReadOnlySet<string> ExcludedUnits { get; init; } = new HashSet<string>();

    /// <summary>Companies not to ask again for this request.</summary>
    public IReadOnlySet<string> ExcludedCompanies { get; init; } = new HashSet<string>();

    /// <summary>A real incident asking: units on exercises that yield their units follow the available ones.</summary>
    public bool TakeFromExercises { get; init; }
}

/// <summary>
/// A district's matching: which of its units a request is offered, in which order. Available units
/// first, then (for a real incident) units on exercises that yield them, each nearest first. Lending
/// to another district's request never lists more guards than the district may lend above its
/// protected reserve (<see cref="LendingLedger"/>). The units a request will most likely be offered
/// are held for it a moment (<c>holdFor</c>): other requests see them after every other unit, so
/// requests arriving together are offered different units instead of all racing for the nearest.
/// Memory only and advisory: the unit's own commitment decides; the district grain runs one call at a time.
/// </summary>
internal sealed class CandidateMatcher(District home, CapacityTally tally, LendingLedger lending, TimeSpan holdFor)
{
    /// <summary>The longest list one query gets.</summary>
    public const int MaxCandidates = GrainTuning.MaxCandidates;

    // Added to a held unit's rank (squared degrees): more than any two points of Norway are apart.
    private const double HeldPenalty = 10_000;

    // Units handed to a request a moment ago, until when, and to which request.
    private readonly Dictionary<string, (DateTimeOffset Until, string For)> _held = new(StringComparer.Ordinal);
    private DateTimeOffset _nextHoldSweep;

    public IReadOnlyList<Candidate> Find(CandidateQuery query, DateTimeOffset now)
    {
        ForgetLapsedHolds(now);

        // Lending to another district never takes this one below its protected reserve, counting what is
        // already promised to other requests (the figures show a promise only once the unit commits).
        var lendingTo = query.ForDistrict != home.Id;
        var lendable = lendingTo ? lending.Lendable(tally.AvailableGuards, home.ProtectedReserveGuards, now, query.ForRequest) : int.MaxValue;
        var eligible = tally.CandidatesFor(query.Capability)
            .Where(u => (u.CountedAvailable || query.TakeFromExercises) && !query.ExcludedUnits.Contains(u.UnitKey)
                && (query.ExcludedCompanies.Count == 0 || !query.ExcludedCompanies.Contains(UnitKey.Parse(u.UnitKey).CompanyId)));

        // Usually only the nearest few hundred are needed: they are picked without sorting the whole
        // district, and the rest only when lending skipped so many that the list is still short.
        var candidates = new List<Candidate>();
        var listed = 0;
        var ranked = NearestFirst(eligible, query.Location, home.Position, MaxCandidates * 2, HeldForOthers, out var complete);
        if (!Take(ranked) && !complete)
        {
            candidates.Clear();
            listed = 0;
            Take(NearestFirst(eligible, query.Location, home.Position, int.MaxValue, HeldForOthers, out _));
        }

        var held = 0;
        foreach (var candidate in candidates.TakeWhile(_ => held < query.Guards))
        {
            _held[candidate.UnitKey] = (now + holdFor, query.ForRequest);
            held += candidate.Headcount;
            if (lendingTo && !candidate.OnYieldingExercise)
            {
                lending.Hold(candidate.UnitKey, candidate.Headcount, query.ForRequest, now);
            }
        }

        return candidates;

        bool HeldForOthers(string unitKey) => _held.TryGetValue(unitKey, out var hold) && hold.For != query.ForRequest;

        // True when the list is full.
        bool Take(IEnumerable<UnitContribution> units)
        {
            foreach (var unit in units)
            {
                if (listed + unit.Headcount > lendable)
                {
                    continue;
                }

                candidates.Add(new Candidate(unit.UnitKey, unit.Headcount, Geo.DistanceKm(query.Location, unit.Position ?? home.Position), !unit.CountedAvailable));
                listed += unit.Headcount;
                if (candidates.Count == MaxCandidates)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void ForgetLapsedHolds(DateTimeOffset now)
    {
        if (_held.Count > 0 && (_held.Count > 1024 || now >= _nextHoldSweep))
        {
            foreach (var (unit, (until, _)) in _held)
            {
                if (until <= now)
                {
                    _held.Remove(unit);
                }
            }

            _nextHoldSweep = now + holdFor;
        }
    }

    /// <summary>
    /// The <paramref name="take"/> best units in order: available before exercise, then by distance
    /// (ranked on a flat projection around the incident, which orders a district's units as the
    /// great-circle distance does, at a fraction of the cost), then by key so ties are stable.
    /// </summary>
    private static List<UnitContribution> NearestFirst(IEnumerable<UnitContribution> units, GeoPoint location, GeoPoint fallback, int take, Func<string, bool> held, out bool complete)
    {
        var cosLatitude = Math.Cos(location.Latitude * Math.PI / 180);
        (bool Exercise, double Rank, string Key) Order(UnitContribution u)
        {
            var at = u.Position ?? fallback;
            var dx = (at.Longitude - location.Longitude) * cosLatitude;
            var dy = at.Latitude - location.Latitude;

            // A unit just handed to another request ranks after every free one of its kind.
            var rank = (dx * dx) + (dy * dy) + (held(u.UnitKey) ? HeldPenalty : 0);
            return (!u.CountedAvailable, rank, u.UnitKey);
        }

        // A max-heap of the best so far: the worst of them leaves when a better one comes.
        var best = new PriorityQueue<UnitContribution, (bool Exercise, double Rank, string Key)>(Comparer<(bool Exercise, double Rank, string Key)>.Create((a, b) => Compare(b, a)));
        var seen = 0;
        foreach (var unit in units)
        {
            seen++;
            var order = Order(unit);
            if (best.Count < take)
            {
                best.Enqueue(unit, order);
            }
            else if (best.TryPeek(out _, out var worst) && Compare(order, worst) < 0)
            {
                best.DequeueEnqueue(unit, order);
            }
        }

        complete = seen <= take;
        var result = new List<UnitContribution>(best.Count);
        while (best.TryDequeue(out var unit, out _))
        {
            result.Add(unit);
        }

        result.Reverse();
        return result;

        static int Compare((bool Exercise, double Rank, string Key) a, (bool Exercise, double Rank, string Key) b) =>
            a.Exercise != b.Exercise ? a.Exercise.CompareTo(b.Exercise)
            : a.Rank != b.Rank ? a.Rank.CompareTo(b.Rank)
            : string.CompareOrdinal(a.Key, b.Key);
    }
}
