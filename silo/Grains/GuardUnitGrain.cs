using Coordination.Domain;
using Coordination.Silo.Audit;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// One guard unit. Status changes are written before the reply; heartbeats and positions stay in
/// memory and are flushed by a timer as background writes, so a busy control-room feed neither
/// queues on the database nor makes commands' writes queue behind it.
/// The unit tells its district only when what it adds to the figures changes.
/// </summary>
internal sealed class GuardUnitGrain(
    [PersistentState("unit", StorageNames.Grains)] IPersistentState<GuardUnitState> state,
    IOptions<UnitOptions> options,
    Audit.StartRecords startRecords,
    TimeProvider time) : Grain, IGuardUnitGrain
{
    private readonly UnitOptions _options = options.Value;
    private GuardUnitState S => state.State;

    // What the district was last told, and its version. Versions only grow, also across activations
    // (they are clock ticks), so the district can always keep the newest.
    private UnitContribution? _told;
    private long _lastVersion;

    private DateTimeOffset? _flushDue;
    private IGrainTimer? _timer;
    private DateTimeOffset _timerDue = DateTimeOffset.MaxValue;

    private DateTimeOffset Now => time.GetUtcNow();
    private bool IsStale => Now - S.LastHeartbeat > _options.StaleAfter;
    private bool CountedAvailable => S.Registered && S.Licensed && S.Status == UnitStatus.Available && !IsStale;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // No calls out from here: the district may be activating and asking us for our contribution.
        Rearm();
        if (S.CommitmentId is not null)
        {
            // Perhaps committed by a command whose silo stopped before its incident stored it: asked at once.
            ArmCommitmentCheck(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_flushDue is not null)
        {
            await BackgroundWrite.Run(() => state.WriteStateAsync(cancellationToken));
        }
    }

    public async Task<UnitView> Register(UnitRegistration registration, bool licensed)
    {
        var previousDistrict = S.Registered ? S.HomeDistrict : null;
        if (!S.Registered)
        {
            // A new unit counts for nothing until its control room says it is available.
            S.Status = UnitStatus.Unavailable;
            S.StatusChangedAt = Now;
        }

        S.Registered = true;
        S.Headcount = registration.Headcount;
        S.Capabilities = registration.Capabilities;
        S.HomeDistrict = registration.HomeDistrict;
        S.Position = registration.Position ?? S.Position;
        S.Licensed = licensed;
        S.LastHeartbeat = Now;
        await Persist();

        if (previousDistrict is not null && previousDistrict != S.HomeDistrict)
        {
            await GrainFactory.Reference<IDistrictGrain>(previousDistrict)
                .Apply(Contribution() with { Withdrawn = true, Version = NextVersion() });
            _told = null;
        }

        await TellDistrict();
        Rearm();
        return View();
    }

    public async Task<StatusReportOutcome> ReportStatus(UnitStatus status, GeoPoint? position)
    {
        EnsureRegistered();
        if (!UnitTransitions.IsAllowed(S.Status, status, TransitionActor.Company))
        {
            throw CoordinationException.Precondition(UnitTransitions.Explain(S.Status, status));
        }

        Heartbeat(position);
        var changed = status != S.Status;
        if (changed)
        {
            await RecordStart();
            S.Status = status;
            S.StatusChangedAt = Now;
            await Persist();
        }

        await TellDistrict();
        Rearm();
        return new StatusReportOutcome(View(), changed);
    }

    public async Task<UnitView> Ping(GeoPoint? position)
    {
        EnsureRegistered();
        Heartbeat(position);

        // Only a unit coming back from stale changes the figures; an ordinary heartbeat does not.
        await TellDistrict();
        Rearm();
        return View();
    }

    public async Task SetLicensed(bool licensed)
    {
        if (!S.Registered || S.Licensed == licensed)
        {
            return;
        }

        S.Licensed = licensed;
        await Persist();
        await TellDistrict();
        Rearm();
    }

    public async Task<UnitView> Commit(string commitmentId, string incidentId, bool exercise = false, bool yielding = false, string? forDistrict = null)
    {
        EnsureRegistered();
        if (S.CommitmentId == commitmentId)
        {
            return View();
        }

        if (S.CommitmentId is not null)
        {
            throw CoordinationException.Precondition($"unit is already committed to incident {S.IncidentId}");
        }

        if (!S.Licensed)
        {
            throw CoordinationException.Precondition("the company has no valid licence");
        }

        if (!UnitTransitions.IsAllowed(S.Status, UnitStatus.Committed, TransitionActor.Assignment) || S.Status == UnitStatus.Committed)
        {
            throw CoordinationException.Precondition($"unit is {UnitTransitions.Describe(S.Status)}, not available");
        }

        if (IsStale)
        {
            throw CoordinationException.Precondition($"unit has not reported since {S.LastHeartbeat:u} and is not counted as available");
        }

        // Lent to another district's incident only with its own district's consent (the protected reserve).
        if (forDistrict is not null && forDistrict != S.HomeDistrict)
        {
            await GrainFactory.Reference<IDistrictGrain>(S.HomeDistrict).Lend(this.GetPrimaryKeyString(), S.Headcount, forDistrict);
        }

        S.Status = UnitStatus.Committed;
        S.StatusChangedAt = Now;
        S.CommitmentId = commitmentId;
        S.IncidentId = incidentId;
        S.OnExercise = exercise;
        S.OnYieldingExercise = exercise && yielding;
        await Persist();
        ArmCommitmentCheck(_options.CommitmentCheckAfter);
        await TellDistrict();
        Rearm();
        return View();
    }

    public async Task<UnitView> Release(string commitmentId)
    {
        EnsureRegistered();
        if (S.CommitmentId != commitmentId)
        {
            return View();
        }

        S.Status = UnitStatus.Available;
        S.StatusChangedAt = Now;
        S.CommitmentId = null;
        S.IncidentId = null;
        S.OnExercise = false;
        S.OnYieldingExercise = false;
        await Persist();
        await TellDistrict();
        Rearm();
        return View();
    }

    public async Task<UnitView> Progress(string commitmentId, UnitStatus status)
    {
        EnsureRegistered();
        if (S.CommitmentId != commitmentId)
        {
            throw CoordinationException.Precondition($"unit is not committed under {commitmentId}");
        }

        if (!UnitTransitions.IsAllowed(S.Status, status, TransitionActor.Assignment) || status is not (UnitStatus.EnRoute or UnitStatus.OnScene))
        {
            throw CoordinationException.Precondition(UnitTransitions.Explain(S.Status, status));
        }

        Heartbeat(null);
        if (status != S.Status)
        {
            S.Status = status;
            S.StatusChangedAt = Now;
            await Persist();
        }

        await TellDistrict();
        Rearm();
        return View();
    }

    public Task<UnitView?> Get() => Task.FromResult(S.Registered ? View() : null);

    // The commitment its incident said it holds (memory only: a new activation asks again).
    private string? _confirmed;
    private IGrainTimer? _commitmentCheck;

    private void ArmCommitmentCheck(TimeSpan due) => _commitmentCheck = this.Arm(_commitmentCheck, CheckCommitment, due, interleave: true);

    /// <summary>
    /// Asks the incident whether it holds this unit's commitment; an incident that does not lets the
    /// unit go (it calls <see cref="Release"/>, which is why this callback lets calls in while it waits).
    /// The incident's commitment is the one place that decides, so the unit never releases itself.
    /// </summary>
    private async Task CheckCommitment(CancellationToken cancellationToken)
    {
        if (S.CommitmentId is not { } commitment || S.IncidentId is not { } incident || _confirmed == commitment)
        {
            return;
        }

        try
        {
            await GrainFactory.Reference<IIncidentGrain>(incident).ConfirmCommitment(this.GetPrimaryKeyString(), commitment);
            if (S.CommitmentId == commitment)
            {
                _confirmed = commitment;
            }
        }
        catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
        {
            // The incident could not answer (storage, a silo going): asked again later.
            ArmCommitmentCheck(_options.CommitmentCheckAfter);
        }
    }

    public Task<UnitContribution?> GetContribution() =>
        Task.FromResult(S.Registered ? Contribution() with { Version = NextVersion() } : null);

    private void EnsureRegistered()
    {
        if (!S.Registered)
        {
            var (company, unit) = UnitKey.Parse(this.GetPrimaryKeyString());
            throw CoordinationException.NotFound($"unit '{unit}' is not registered by company '{company}'");
        }
    }

    private void Heartbeat(GeoPoint? position)
    {
        S.LastHeartbeat = Now;
        if (position is not null)
        {
            S.Position = position;
        }

        // Due somewhere in the second half of the interval: a feed that reports every unit at once
        // (50,000 after a restart) spreads its flushes instead of making them all in the same second.
        _flushDue ??= Now + _options.HeartbeatFlushInterval * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    /// <summary>
    /// A report's audit record of its start, when the gateway left it to the unit (see
    /// <see cref="CallerContext.DeferredStartKey"/>): durable before the change, as for every command.
    /// </summary>
    private async Task RecordStart()
    {
        if (RequestContext.Get(CallerContext.DeferredStartKey) is not AuditRecord started)
        {
            return;
        }

        RequestContext.Remove(CallerContext.DeferredStartKey);
        await startRecords.Append(started, "this report");
    }

    private async Task Persist()
    {
        await state.WriteStateAsync();
        _flushDue = null;
    }

    private async Task TellDistrict()
    {
        var now = Contribution();
        if (_told is not null && Same(_told, now))
        {
            return;
        }

        now = now with { Version = NextVersion() };
        await GrainFactory.Reference<IDistrictGrain>(S.HomeDistrict).Apply(now);
        _told = now;
    }

    private UnitContribution Contribution() => new(
        this.GetPrimaryKeyString(), 0, S.Status, S.Headcount, S.Capabilities, CountedAvailable, IsStale, Withdrawn: false, S.Position,
        S.OnYieldingExercise && S.Licensed);

    private static bool Same(UnitContribution a, UnitContribution b) =>
        a.Status == b.Status && a.Headcount == b.Headcount && a.CountedAvailable == b.CountedAvailable
        && a.Stale == b.Stale && a.Withdrawn == b.Withdrawn && a.OnYieldingExercise == b.OnYieldingExercise
        && a.Capabilities.SequenceEqual(b.Capabilities);

    private long NextVersion() => _lastVersion = Math.Max(_lastVersion + 1, Now.UtcTicks);

    /// <summary>
    /// One timer does both chores: flush a pending heartbeat, and notice the moment the unit goes
    /// stale. It keeps the activation alive only while one of them is due.
    /// </summary>
    private void Rearm()
    {
        var due = DateTimeOffset.MaxValue;
        if (_flushDue is { } flush)
        {
            due = flush;
        }

        if (CountedAvailable)
        {
            var staleAt = S.LastHeartbeat + _options.StaleAfter + TimeSpan.FromMilliseconds(1);
            if (staleAt < due)
            {
                due = staleAt;
            }
        }

        if (due == DateTimeOffset.MaxValue)
        {
            _timer?.Dispose();
            _timer = null;
            _timerDue = DateTimeOffset.MaxValue;
            return;
        }

        if (_timer is not null && _timerDue <= due)
        {
            return; // it fires earlier and re-arms then
        }

        var delay = due - Now;
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        _timerDue = due;
        _timer = this.Arm(_timer, OnTimer, delay);
    }

    private async Task OnTimer(CancellationToken cancellationToken)
    {
        _timerDue = DateTimeOffset.MaxValue;
        if (_flushDue is { } flush && flush <= Now)
        {
            // Nobody waits for a heartbeat's write: commands' writes go before it (WriteLanes).
            await BackgroundWrite.Run(Persist);
        }

        await TellDistrict();
        Rearm();
    }

    private UnitView View()
    {
        var (company, unit) = UnitKey.Parse(this.GetPrimaryKeyString());
        return new UnitView(
            company, unit, S.Headcount, S.Capabilities, S.HomeDistrict, S.Status, S.Position,
            S.LastHeartbeat, S.StatusChangedAt, IsStale, CountedAvailable, S.IncidentId, S.OnExercise, S.OnYieldingExercise);
    }
}
