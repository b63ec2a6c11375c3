using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// A police district's live capacity. The figures live in memory only: they are derived data, and
/// on activation the district rebuilds them from its units, which hold the truth. Only the list of
/// companies with units here is stored, and it changes rarely.
/// </summary>
internal sealed class DistrictGrain(
    [PersistentState("district", StorageNames.Grains)] IPersistentState<DistrictState> state,
    TimeProvider time,
    IOptions<OfferOptions> offerOptions,
    ILogger<DistrictGrain> logger) : Grain, IDistrictGrain, IRemindable
{
    private const string WakeReminder = "wake-open-incidents";

    // Dashboards are told at most this often; a burst of status changes costs them one picture.
    private static readonly TimeSpan DashboardInterval = TimeSpan.FromMilliseconds(50);

    // The national view is told at most this often, so a burst of status changes costs it one message.
    private static readonly TimeSpan NationalReportInterval = TimeSpan.FromMilliseconds(250);

    // ...and at least this often, so a lost one-way report heals on its own.
    private static readonly TimeSpan NationalRefreshInterval = TimeSpan.FromSeconds(30);

    private const int RebuildParallelism = 256;
    private const int ClosedIncidentsListed = 200;
    private const int MaxCandidates = 200;

    // How long units handed to one request are held back from the next: long enough for that
    // request's commitment to reach this district, short enough that an offer left unanswered does
    // not keep a unit from everyone else.
    private static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(2);

    // Added to a held unit's rank (squared degrees): more than any two points of Norway are apart.
    private const double HeldPenalty = 10_000;

    private readonly CapacityTally _tally = new();

    // Promises to other districts' requests that the figures do not show yet (see LendingLedger).
    private readonly LendingLedger _lending = new(HoldFor, LendingSettles);

    // How long a unit's commitment may take to reach the figures; a promise whose commitment failed lapses then.
    private static readonly TimeSpan LendingSettles = TimeSpan.FromSeconds(10);

    // The board: each open incident's latest summary, as the incidents send them (derived, memory only).
    private readonly Dictionary<string, IncidentSummary> _board = new(StringComparer.Ordinal);

    // Units handed to a request a moment ago, until when, and to which request (advisory, memory only).
    private readonly Dictionary<string, (DateTimeOffset Until, string For)> _held = new(StringComparer.Ordinal);
    private DateTimeOffset _nextHoldSweep;
    private readonly DashboardWatchers _watchers = new(time);
    private bool _changedSinceReport = true;
    private IGrainReminder? _wakeReminder;
    private bool _changedSinceNotify;
    private DistrictSituation? _shown;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    private string DistrictId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var units = 0;
        foreach (var companyId in state.State.Companies)
        {
            var keys = await GrainFactory.GetGrain<ICompanyGrain>(companyId).UnitKeysIn(DistrictId);
            foreach (var chunk in keys.Chunk(RebuildParallelism))
            {
                var contributions = await Task.WhenAll(chunk.Select(k => GrainFactory.GetGrain<IGuardUnitGrain>(k).GetContribution()));
                foreach (var contribution in contributions)
                {
                    if (contribution is not null && _tally.Apply(contribution))
                    {
                        units++;
                    }
                }
            }
        }

        if (units > 0)
        {
            logger.LogInformation("District {District} rebuilt its figures from {Units} units in {Elapsed}", DistrictId, units, time.GetElapsedTime(started));
        }

        this.RegisterGrainTimer(ReportChanges, new GrainTimerCreationOptions(TimeSpan.Zero, DashboardInterval) { KeepAlive = true });

        // Open incidents hold offer deadlines in their state; waking them re-arms their timers.
        await WakeOpenIncidents();
        await KeepWakeReminder();
    }

    private async Task WakeOpenIncidents()
    {
        foreach (var incident in state.State.OpenIncidents.ToArray())
        {
            await GrainFactory.GetGrain<IIncidentGrain>(incident).Wake();
        }
    }

    /// <summary>
    /// While incidents are open, a durable reminder wakes them periodically (see OfferOptions.WakeIncidentsEvery);
    /// it is the one thing that brings back an incident, and its deadlines, lost with a failed silo.
    /// It is registered when the first incident opens and removed by its own tick once none is open,
    /// so incidents opening and closing in quick succession cost nothing extra.
    /// </summary>
    private async Task KeepWakeReminder()
    {
        if (state.State.OpenIncidents.Count > 0 && _wakeReminder is null)
        {
            var every = offerOptions.Value.WakeIncidentsEvery;
            _wakeReminder = await this.RegisterOrUpdateReminder(WakeReminder, every, every);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WakeReminder)
        {
            return;
        }

        if (state.State.OpenIncidents.Count > 0)
        {
            await WakeOpenIncidents();
        }
        else if ((_wakeReminder ?? await this.GetReminder(WakeReminder)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _wakeReminder = null;
        }
    }

    public Task<IReadOnlyList<Candidate>> FindCandidates(string capability, GeoPoint location, string forDistrict, string[] excludeUnits, string[] excludeCompanies, bool takeFromExercises, string forRequest, int guards)
    {
        var now = time.GetUtcNow();
        ForgetLapsedHolds(now);
        var excluded = excludeUnits.ToHashSet(StringComparer.Ordinal);
        var excludedCompanies = excludeCompanies.ToHashSet(StringComparer.Ordinal);
        var home = ReferenceData.Current.DistrictsById[DistrictId];

        // Lending to another district never takes this one below its protected reserve, counting what is
        // already promised to other requests (the figures show a promise only once the unit commits).
        var lending = forDistrict != DistrictId;
        var lendable = lending ? _lending.Lendable(_tally.AvailableGuards, home.ProtectedReserveGuards, now, forRequest) : int.MaxValue;
        var eligible = _tally.CandidatesFor(capability)
            .Where(u => (u.CountedAvailable || takeFromExercises) && !excluded.Contains(u.UnitKey)
                && (excludedCompanies.Count == 0 || !excludedCompanies.Contains(UnitKey.Parse(u.UnitKey).CompanyId)));

        // Available units first, then units on exercises, each nearest first. Usually only the nearest
        // few hundred are needed: they are picked without sorting the whole district, and the rest
        // only when lending skipped so many that the list is still short.
        var candidates = new List<Candidate>();
        var listed = 0;
        var ranked = NearestFirst(eligible, location, home.Position, MaxCandidates * 2, HeldForOthers, out var complete);
        if (!Take(ranked) && !complete)
        {
            candidates.Clear();
            listed = 0;
            Take(NearestFirst(eligible, location, home.Position, int.MaxValue, HeldForOthers, out _));
        }

        // The units this request will most likely be offered are held back from the next requests.
        var held = 0;
        foreach (var candidate in candidates.TakeWhile(_ => held < guards))
        {
            _held[candidate.UnitKey] = (now + HoldFor, forRequest);
            held += candidate.Headcount;
            if (lending && !candidate.OnYieldingExercise)
            {
                _lending.Hold(candidate.UnitKey, candidate.Headcount, forRequest, now);
            }
        }

        return Task.FromResult<IReadOnlyList<Candidate>>(candidates);

        bool HeldForOthers(string unitKey) => _held.TryGetValue(unitKey, out var hold) && hold.For != forRequest;

        // True when the list is full.
        bool Take(IEnumerable<UnitContribution> units)
        {
            foreach (var unit in units)
            {
                if (listed + unit.Headcount > lendable)
                {
                    continue;
                }

                candidates.Add(new Candidate(unit.UnitKey, unit.Headcount, Geo.DistanceKm(location, unit.Position ?? home.Position), !unit.CountedAvailable));
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

            _nextHoldSweep = now + HoldFor;
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

    public Task Lend(string unitKey, int guards, string forDistrict)
    {
        if (forDistrict == DistrictId || _tally.Find(unitKey) is not { CountedAvailable: true })
        {
            // Not a loan, or a unit the figures do not count as available (on a yielding exercise): the reserve is not touched.
            return Task.CompletedTask;
        }

        var reserve = ReferenceData.Current.DistrictsById[DistrictId].ProtectedReserveGuards;
        if (!_lending.TryLend(unitKey, guards, _tally.AvailableGuards, reserve, time.GetUtcNow()))
        {
            throw CoordinationException.Precondition(
                $"{DistrictId} lends no more guards: lending this unit would take it below its protected reserve of {reserve} guards");
        }

        return Task.CompletedTask;
    }

    public async Task IncidentOpened(string incidentId)
    {
        if (state.State.OpenIncidents.Add(incidentId))
        {
            await state.WriteStateAsync();
            await KeepWakeReminder();
        }
    }

    public async Task IncidentClosed(string incidentId)
    {
        if (_board.Remove(incidentId))
        {
            BoardChanged();
        }

        if (state.State.OpenIncidents.Remove(incidentId))
        {
            state.State.RecentlyClosed.Add(incidentId);
            if (state.State.RecentlyClosed.Count > ClosedIncidentsListed)
            {
                state.State.RecentlyClosed.RemoveAt(0);
            }

            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListIncidents(bool includeClosed) =>
        Task.FromResult<IReadOnlyList<string>>(includeClosed
            ? [.. state.State.OpenIncidents.Order(StringComparer.Ordinal), .. Enumerable.Reverse(state.State.RecentlyClosed)]
            : [.. state.State.OpenIncidents.Order(StringComparer.Ordinal)]);

    public Task IncidentChanged(IncidentSummary summary)
    {
        // A late summary of an incident closed meanwhile, or one older than what the board shows, is dropped.
        if (summary.District == DistrictId && state.State.OpenIncidents.Contains(summary.IncidentId)
            && (!_board.TryGetValue(summary.IncidentId, out var shown) || shown.Revision <= summary.Revision) && shown != summary)
        {
            _board[summary.IncidentId] = summary;
            BoardChanged();
        }

        return Task.CompletedTask;
    }

    private void BoardChanged()
    {
        _changedSinceNotify = true;
        _changedSinceReport = true;
    }

    private IReadOnlyList<IncidentSummary> Board() => IncidentSummary.BoardOrder(_board.Values);

    public async Task EnrollCompany(string companyId)
    {
        if (state.State.Companies.Add(companyId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task Apply(UnitContribution contribution)
    {
        var changed = _tally.Apply(contribution);
        if (changed && !contribution.CountedAvailable)
        {
            _lending.Settled(contribution.UnitKey);
        }

        _changedSinceReport |= changed;
        _changedSinceNotify |= changed;
        return Task.CompletedTask;
    }

    public Task<CapacityFigures> GetCapacity() => Task.FromResult(_tally.Figures(DistrictId, time.GetUtcNow()));

    public Task<DistrictSituation> GetSituation() => Task.FromResult(new DistrictSituation(_tally.Figures(DistrictId, time.GetUtcNow()), Board()));

    public Task<DashboardUpdate> Watch(IDashboardObserver observer)
    {
        // A version names one picture. A change not yet announced is announced now, before this
        // watcher joins, and the watcher gets the announced picture: answering with the current
        // figures under the last announced version gave two pictures one version, so a viewer
        // resuming from it was sent the same figures again under the next version.
        Announce(time.GetUtcNow());
        _watchers.Watch(observer);
        return Task.FromResult(new DashboardUpdate(_watchers.Version, _shown!.Figures, Incidents: _shown.Incidents));
    }

    public Task Unwatch(IDashboardObserver observer)
    {
        _watchers.Unwatch(observer);
        return Task.CompletedTask;
    }

    /// <summary>The figures taken when something changed (or nothing has been shown yet), after telling the watchers if they would see a difference.</summary>
    private CapacityFigures? Announce(DateTimeOffset now)
    {
        if (!_changedSinceNotify && _shown is not null)
        {
            return null;
        }

        _changedSinceNotify = false;
        var figures = _tally.Figures(DistrictId, now);
        var picture = new DistrictSituation(figures, Board());

        // A unit's change that leaves every count as it was (a new position, say) is no news for dashboards.
        if (_shown is null || !_shown.Shows(picture))
        {
            _shown = picture;
            _watchers.Changed(new DashboardUpdate("", figures, Incidents: picture.Incidents));
        }

        return figures;
    }

    /// <summary>
    /// Only when something changed: dashboards hear of it within 50 ms, the national view within
    /// 250 ms (and every 30 s regardless, so a lost one-way report heals on its own).
    /// </summary>
    private Task ReportChanges(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var figures = Announce(now);

        if ((_changedSinceReport && now - _lastReport >= NationalReportInterval) || now - _lastReport >= NationalRefreshInterval)
        {
            _changedSinceReport = false;
            _lastReport = now;
            return GrainFactory.GetGrain<INationalGrain>(INationalGrain.Key).Report(new DistrictSituation(figures ?? _tally.Figures(DistrictId, now), Board()));
        }

        return Task.CompletedTask;
    }
}
