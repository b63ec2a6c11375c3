using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// A police district: its live capacity (<see cref="CapacityTally"/>), matching requests to its units
/// (<see cref="CandidateMatcher"/>, within its protected reserve: <see cref="LendingLedger"/>), the
/// board of its incidents (<see cref="IncidentBoard"/>), the reminder that wakes open incidents, and
/// reporting to dashboards and the national view. The figures live in memory only: they are derived
/// data, and on activation the district rebuilds them from its units, which hold the truth. Only the
/// companies with units here and the lists of incidents are stored, and they change rarely.
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

    // How long units handed to one request are held back from the next: long enough for that
    // request's commitment to reach this district, short enough that an offer left unanswered does
    // not keep a unit from everyone else.
    private static readonly TimeSpan HoldFor = TimeSpan.FromSeconds(2);

    private readonly CapacityTally _tally = new();

    // Promises to other districts' requests that the figures do not show yet (see LendingLedger).
    private readonly LendingLedger _lending = new(HoldFor, LendingSettles);

    // How long a unit's commitment may take to reach the figures; a promise whose commitment failed lapses then.
    private static readonly TimeSpan LendingSettles = TimeSpan.FromSeconds(10);

    // Made on first use: both need the district's identity, and the board the state read at
    // activation, which field initializers cannot reach.
    private CandidateMatcher? _matcher;
    private IncidentBoard? _incidents;

    private readonly DashboardWatchers _watchers = new(time);
    private bool _changedSinceReport = true;
    private IGrainReminder? _wakeReminder;
    private bool _changedSinceNotify;
    private DistrictSituation? _shown;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    private string DistrictId => this.GetPrimaryKeyString();

    private CandidateMatcher Matcher => _matcher ??= new(ReferenceData.Current.DistrictsById[DistrictId], _tally, _lending, HoldFor);

    private IncidentBoard Incidents => _incidents ??= new(DistrictId, state.State);

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
        foreach (var incident in Incidents.Open.ToArray())
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
        if (Incidents.Open.Count > 0 && _wakeReminder is null)
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

        if (Incidents.Open.Count > 0)
        {
            await WakeOpenIncidents();
        }
        else if ((_wakeReminder ?? await this.GetReminder(WakeReminder)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _wakeReminder = null;
        }
    }

    public Task<IReadOnlyList<Candidate>> FindCandidates(string capability, GeoPoint location, string forDistrict, string[] excludeUnits, string[] excludeCompanies, bool takeFromExercises, string forRequest, int guards) =>
        Task.FromResult(Matcher.Find(
            new CandidateQuery
            {
                Capability = capability,
                Location = location,
                ForDistrict = forDistrict,
                ForRequest = forRequest,
                Guards = guards,
                ExcludedUnits = excludeUnits.ToHashSet(StringComparer.Ordinal),
                ExcludedCompanies = excludeCompanies.ToHashSet(StringComparer.Ordinal),
                TakeFromExercises = takeFromExercises,
            },
            time.GetUtcNow()));

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
        if (Incidents.Opened(incidentId))
        {
            await state.WriteStateAsync();
            await KeepWakeReminder();
        }
    }

    public async Task IncidentClosed(string incidentId)
    {
        var (lineRemoved, stored) = Incidents.Closed(incidentId);
        if (lineRemoved)
        {
            BoardChanged();
        }

        if (stored)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListIncidents(bool includeClosed) => Task.FromResult(Incidents.List(includeClosed));

    public Task IncidentChanged(IncidentSummary summary)
    {
        if (Incidents.Show(summary))
        {
            BoardChanged();
        }

        return Task.CompletedTask;
    }

    private void BoardChanged()
    {
        _changedSinceNotify = true;
        _changedSinceReport = true;
    }

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

    public Task<DistrictSituation> GetSituation() => Task.FromResult(new DistrictSituation(_tally.Figures(DistrictId, time.GetUtcNow()), Incidents.Lines));

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
        var picture = new DistrictSituation(figures, Incidents.Lines);

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
            return GrainFactory.GetGrain<INationalGrain>(INationalGrain.Key).Report(new DistrictSituation(figures ?? _tally.Figures(DistrictId, now), Incidents.Lines));
        }

        return Task.CompletedTask;
    }
}
