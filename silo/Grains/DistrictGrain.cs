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
/// <para>
/// Its parts, by protocol: this file (capacity, matching and lending); <c>.Incidents</c> (the board
/// and the wake reminder); <c>.Bulletins</c>; <c>.Observations</c> (the open observations its
/// dashboards show); <c>.Dashboards</c> (dashboards and the national view).
/// </para>
/// </summary>
internal sealed partial class DistrictGrain(
    [PersistentState("district", StorageNames.Grains)] IPersistentState<DistrictState> state,
    TimeProvider time,
    IOptions<OfferOptions> offerOptions,
    ILogger<DistrictGrain> logger) : Grain, IDistrictGrain, IRemindable
{
    private const int RebuildParallelism = GrainTuning.RebuildParallelism;

    // How long units handed to one request are held back from the next: long enough for that
    // request's commitment to reach this district, short enough that an offer left unanswered does
    // not keep a unit from everyone else.
    private static readonly TimeSpan HoldFor = GrainTuning.HoldUnitsFor;

    private readonly CapacityTally _tally = new();

    // Promises to other districts' requests that the figures do not show yet (see LendingLedger).
    private readonly LendingLedger _lending = new(HoldFor, LendingSettles);

    // How long a unit's commitment may take to reach the figures; a promise whose commitment failed lapses then.
    private static readonly TimeSpan LendingSettles = GrainTuning.LendingSettles;

    // Made on first use: it needs the district's identity, which field initializers cannot reach.
    private CandidateMatcher? _matcher;

    private string DistrictId => this.GetPrimaryKeyString();

    private CandidateMatcher Matcher => _matcher ??= new(ReferenceData.Current.DistrictsById[DistrictId], _tally, _lending, HoldFor);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var units = 0;
        foreach (var companyId in state.State.Companies)
        {
            var keys = await GrainFactory.Reference<ICompanyGrain>(companyId).UnitKeysIn(DistrictId);
            foreach (var chunk in keys.Chunk(RebuildParallelism))
            {
                var contributions = await Task.WhenAll(chunk.Select(k => GrainFactory.Reference<IGuardUnitGrain>(k).GetContribution()));
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
        await WakeBulletins();
        await ResumeObservationQueue();
        await KeepWakeReminder();
    }

    // Ranked and held here; only what the request's planner can use goes back (see OfferPlanner.Useful).
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
            time.GetUtcNow(),
            usefulFor: guards));

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

    /// <summary>
    /// The queue wakes what it lists and sends its open lines back: after a restart, it is what brings
    /// back observations cut off halfway. Its failure (storage briefly unavailable) must not fail this
    /// district's activation and its capacity figures; the queue's next activation does it instead.
    /// </summary>
    private async Task ResumeObservationQueue()
    {
        try
        {
            await GrainFactory.Reference<IObservationQueueGrain>(DistrictId).Resume();
        }
        catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
        {
            logger.LogWarning(e, "District {District} could not resume its observation queue; it resumes when next used", DistrictId);
        }
    }
}
