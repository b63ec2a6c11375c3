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

    /// <summary>
    /// The query's candidates, nearest first, with the first of them held for it. With <paramref name="usefulFor"/>
    /// (the guards the next offer needs) only the ones the offer can be made from are returned
    /// (<see cref="OfferPlanner.Useful{T}"/>), and only they are measured out in kilometres; the holds are
    /// placed on the whole list either way.
    /// </summary>
    public IReadOnlyList<Candidate> Find(CandidateQuery query, DateTimeOffset now, int? usefulFor = null)
    {
        // Lending to another district never takes this one below its protected reserve, counting what is
        // already promised to other requests (the figures show a promise only once the unit commits).
        var lendingTo = query.ForDistrict != home.Id;
        var lendable = lendingTo ? lending.Lendable(tally.AvailableGuards, home.ProtectedReserveGuards, now, query.ForRequest) : int.MaxValue;
        var eligible = tally.CandidatesFor(query.Capability);

        // Usually only the nearest few are needed: they are picked without sorting the whole district
        // (twice the list when lending, which skips units that would go below the reserve), and the
        // rest only when lending skipped so many that the list is still short.
        var units = new List<UnitContribution>();
        var listed = 0;
        var ranked = NearestFirst(eligible, query, home.Position, lendingTo ? MaxCandidates * 2 : MaxCandidates, now.UtcTicks, out var complete);
        if (!Take(ranked) && !complete)
        {
            units.Clear();
            listed = 0;
            Take(NearestFirst(eligible, query, home.Position, int.MaxValue, now.UtcTicks, out _));
        }

        var held = 0;
        var hold = new CandidatePool.Hold((now + holdFor).UtcTicks, query.ForRequest);
        foreach (var unit in units.TakeWhile(_ => held < query.Guards))
        {
            tally.Hold(unit.UnitKey, hold);
            held += unit.Headcount;
            if (lendingTo && unit.CountedAvailable)
            {
                lending.Hold(unit.UnitKey, unit.Headcount, query.ForRequest, now);
            }
        }

        var kept = usefulFor is { } need ? OfferPlanner.Useful(units, need, static u => u.Headcount, static u => u.UnitKey) : units;
        var candidates = new Candidate[kept.Count];
        for (var i = 0; i < candidates.Length; i++)
        {
            var unit = kept[i];
            candidates[i] = new Candidate(unit.UnitKey, unit.Headcount, Geo.DistanceKm(query.Location, unit.Position ?? home.Position), !unit.CountedAvailable);
        }

        return candidates;

        // True when the list is full.
        bool Take(IEnumerable<UnitContribution> ranked)
        {
            foreach (var unit in ranked)
            {
                if (listed + unit.Headcount > lendable)
                {
                    continue;
                }

                units.Add(unit);
                listed += unit.Headcount;
                if (units.Count == MaxCandidates)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// The <paramref name="take"/> best units the query may be offered, in order: available before
    /// exercise; within each, units not just handed to another request before those that were; then
    /// by distance (ranked on a flat projection around the incident, which orders a district's units
    /// as the great-circle distance does, at a fraction of the cost); then by key.
    /// <para>
    /// This runs over every unit of the capability for every request, so it is written for that
    /// (measured: it was the largest cost of a capacity request, 0.5–0.8 ms): the order is folded into
    /// one number per unit, the best so far are kept in a bounded heap of numbers, and a unit that
    /// cannot beat the worst of them costs one comparison. A hold only pushes a unit back, so it is
    /// read (by slot) only for a unit that beats the worst without it. Exact ties at the edge of the
    /// list are cut in the pool's order; within the list they are ordered by key.
    /// </para>
    /// </summary>
    private static List<UnitContribution> NearestFirst(
        CandidatePool units, CandidateQuery query, GeoPoint fallback, int take, long nowTicks, out bool complete)
    {
        var location = query.Location;
        var cosLatitude = Math.Cos(location.Latitude * Math.PI / 180);
        var entries = units.Entries;

        // Priorities are negated keys: the heap's top is then the worst unit kept, the one a better unit replaces.
        var best = new PriorityQueue<int, double>(Math.Min(take, entries.Length));
        var seen = 0;
        for (var slot = 0; slot < entries.Length; slot++)
        {
            ref readonly var entry = ref entries[slot];
            if (!entry.Available && !query.TakeFromExercises)
            {
                continue;
            }

            seen++;
            var dx = ((entry.HasPosition ? entry.Longitude : fallback.Longitude) - location.Longitude) * cosLatitude;
            var dy = (entry.HasPosition ? entry.Latitude : fallback.Latitude) - location.Latitude;
            var key = (dx * dx) + (dy * dy) + (entry.Available ? 0 : ExerciseOffset);
            var full = best.Count >= take;
            var worst = full && best.TryPeek(out _, out var negated) ? -negated : double.PositiveInfinity;
            if (key >= worst)
            {
                continue;
            }

            if (units.HeldForAnother(slot, query.ForRequest, nowTicks))
            {
                key += HeldOffset;
                if (key >= worst)
                {
                    continue;
                }
            }

            if ((query.ExcludedUnits.Count > 0 && query.ExcludedUnits.Contains(entry.Unit.UnitKey))
                || (query.ExcludedCompanies.Count > 0 && query.ExcludedCompanies.Contains(UnitKey.Parse(entry.Unit.UnitKey).CompanyId)))
            {
                continue;
            }

            if (full)
            {
                best.DequeueEnqueue(slot, -key);
            }
            else
            {
                best.Enqueue(slot, -key);
            }
        }

        complete = seen <= take;
        var ranked = new (double Key, UnitContribution Unit)[best.Count];
        for (var i = ranked.Length - 1; best.TryDequeue(out var slot, out var priority); i--)
        {
            ranked[i] = (-priority, entries[slot].Unit);
        }

        // Equal keys (units without a position, placed at the district's headquarters) by unit key.
        Array.Sort(ranked, static (a, b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : string.CompareOrdinal(a.Unit.UnitKey, b.Unit.UnitKey));
        return [.. ranked.Select(r => r.Unit)];
    }

    // Squared degrees added to a unit's distance: more than any two points of Norway are apart (about
    // 20² in latitude), so every available unit comes before every exercise one, and every free unit
    // before a held one of the same kind.
    private const double HeldOffset = 1e4;
    private const double ExerciseOffset = 1e5;
}
