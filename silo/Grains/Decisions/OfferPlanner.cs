using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// Which company is offered which units next, for one request as it stands now. Districts are asked
/// in order (the incident's own, then its neighbours nearest first when the request allows), and of a
/// district's candidates (nearest first, as the district ranks them) the first company that has units
/// fitting what is still needed gets one offer for as many of them as fit. Units are never split: a
/// unit larger than what is still needed is not offered, and the smallest such unit is remembered
/// so an empty request can say why.
/// </summary>
internal sealed class OfferPlanner(CapacityRequestState request)
{
    /// <summary>Guards the next offer may ask for (see <see cref="RequestFill.Need"/>).</summary>
    public int Need { get; } = RequestFill.Of(request).Need;

    /// <summary>
    /// Companies not to ask again. A company answering by hand is asked once per request: not again
    /// after it answered, declined or let an offer expire. A framework agreement answers at once, so
    /// such a company is asked again for units not yet tried while the request still needs guards.
    /// </summary>
    public string[] AskedCompanies { get; } = [.. request.Offers.Where(o => o.Status == OfferStatus.Pending || !o.Automatic).Select(o => o.CompanyId).Distinct()];

    /// <summary>Units already suggested in an offer of this request, or assigned to it: not offered again.</summary>
    public string[] TriedUnits { get; } = [.. request.Offers.SelectMany(o => o.SuggestedUnits).Concat(request.Assignments.Select(a => a.UnitKey)).Distinct()];

    /// <summary>The districts to ask, in order: the incident's own, then (when allowed) its neighbours, nearest to the request first.</summary>
    public static IReadOnlyList<string> Districts(string home, RequestCapacity command, ReferenceData data)
    {
        var districts = new List<string> { home };
        if (command.AllowNeighbours)
        {
            districts.AddRange(data.DistrictsById[home].Neighbours
                .OrderBy(d => Geo.DistanceKm(command.Location, data.DistrictsById[d].Position)));
        }

        return districts;
    }

    /// <summary>
    /// Of a district's ranked candidates, the ones <see cref="Choose"/> and <see cref="SmallestTooLarge"/>
    /// can use for a request that needs <paramref name="need"/> guards: every candidate of the first company
    /// (in candidate order) with a unit that fits, and the smallest unit too large. Both decisions come out
    /// the same on these as on the whole list, so the district answers with these only: a one-guard request
    /// carries a unit or two back from the district instead of its 64 nearest.
    /// </summary>
    public static IReadOnlyList<Candidate> Useful(IReadOnlyList<Candidate> ranked, int need) =>
        Useful(ranked, need, static c => c.Headcount, static c => c.UnitKey);

    /// <summary>The same choice over anything ranked that has a headcount and a unit key (the district makes it before it builds its answer).</summary>
    public static IReadOnlyList<T> Useful<T>(IReadOnlyList<T> ranked, int need, Func<T, int> headcount, Func<T, string> unitKey)
        where T : class
    {
        // Companies in the order they first appear (the order Choose groups them in), and whether each has a unit that fits.
        var companies = new List<(string Key, bool Fits)>();
        T? smallestTooLarge = null;
        foreach (var candidate in ranked)
        {
            var fits = headcount(candidate) <= need;
            if (!fits && (smallestTooLarge is null || headcount(candidate) < headcount(smallestTooLarge)))
            {
                smallestTooLarge = candidate;
            }

            var at = IndexOf(companies, unitKey(candidate));
            if (at < 0)
            {
                companies.Add((unitKey(candidate), fits));
            }
            else if (fits)
            {
                companies[at] = (companies[at].Key, true);
            }
        }

        var chosen = companies.Find(c => c.Fits).Key;
        var useful = new List<T>();
        foreach (var candidate in ranked)
        {
            if ((chosen is not null && SameCompany(chosen, unitKey(candidate))) || ReferenceEquals(candidate, smallestTooLarge))
            {
                useful.Add(candidate);
            }
        }

        return useful;

        static bool SameCompany(string a, string b) => UnitKey.CompanyOf(a).SequenceEqual(UnitKey.CompanyOf(b));

        // A loop, not FindIndex: a predicate capturing the candidate was allocated for every candidate of every request.
        static int IndexOf(List<(string Key, bool Fits)> companies, string unitKey)
        {
            for (var i = 0; i < companies.Count; i++)
            {
                if (SameCompany(companies[i].Key, unitKey))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>The headcount of the smallest candidate too large for what is still needed, if any.</summary>
    public int? SmallestTooLarge(IEnumerable<Candidate> candidates)
    {
        var need = Need;
        return candidates.Where(c => c.Headcount > need).Select(c => (int?)c.Headcount).Min();
    }

    /// <summary>
    /// The next offer among one district's candidates: the first company (in candidate order) with
    /// units that fit, taking its units in order while their sum stays within what is needed. Null
    /// when no company has a unit that fits.
    /// </summary>
    public PlannedOffer? Choose(IEnumerable<Candidate> candidates)
    {
        var need = Need;
        foreach (var company in candidates.GroupBy(c => UnitKey.Parse(c.UnitKey).CompanyId))
        {
            var units = new List<string>();
            var guards = 0;
            foreach (var candidate in company.Where(c => c.Headcount <= need))
            {
                if (guards + candidate.Headcount <= need)
                {
                    units.Add(candidate.UnitKey);
                    guards += candidate.Headcount;
                }
            }

            if (guards > 0)
            {
                return new PlannedOffer(company.Key, [.. units], guards);
            }
        }

        return null;
    }
}

/// <summary>An offer to make: to one company, for these units and the guards they hold together.</summary>
internal sealed record PlannedOffer(string CompanyId, string[] UnitKeys, int Guards);
