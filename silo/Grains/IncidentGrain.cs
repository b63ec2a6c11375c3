using Coordination.Domain;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// An incident and its capacity requests. The incident is the only writer of its requests, offers
/// and assignments, and it alone asks units to commit, so "a request never receives more than it
/// asked for" is checked in one place, one command at a time. Calls flow outward only
/// (incident → district, company, unit); nobody awaits the incident back, so no call cycle can stall.
/// </summary>
internal sealed partial class IncidentGrain(
    [PersistentState("incident", StorageNames.Grains)] IPersistentState<IncidentState> state,
    IOptions<OfferOptions> offerOptions,
    TimeProvider time) : Grain, IIncidentGrain
{
    // Every write serialises the incident with its timeline tail; a short tail keeps each write small
    // (a sealed page is one more write per 64 events, and pages are read only to show the timeline).
    private const int TimelinePageSize = GrainTuning.TimelinePageSize;

    // Dashboards are told of a change at most this often: a command's several steps cost them one picture.
    private static readonly TimeSpan DashboardInterval = GrainTuning.DashboardInterval;

    private DashboardWatchers? _watchers;
    private IncidentSummary? _summarySent;
    private IGrainTimer? _notifyTimer;
    private bool _notifyPending;

    private IncidentState S => state.State;
    private string IncidentId => this.GetPrimaryKeyString();
    private DateTimeOffset Now => time.GetUtcNow();
    private OpenIncident Opening => S.Opening ?? throw CoordinationException.NotFound($"incident '{IncidentId}' does not exist");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Deadlines, half-finished commitments and undelivered offers are all in the state: one
        // pass right after activation picks each of them up again.
        if (S.Opening is not null && (S.Status == IncidentStatus.Open || S.AuditOutbox.Count > 0))
        {
            ArmTimer(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public Task Wake()
    {
        // The district asks after it (re)activates: it keeps the board lines in memory only.
        TellDistrict(again: true);

        // The district only wakes incidents it lists as open: a close that stopped before telling it is told now
        // (one-way: the district is waking us).
        if (S.Opening is { } opening && S.Status == IncidentStatus.Closed)
        {
            GrainFactory.GetGrain<IDistrictGrain>(opening.District).IncidentClosed(IncidentId).Ignore();
        }

        return Task.CompletedTask;
    }

    public async Task<IncidentView> Open(OpenIncident command)
    {
        TakeStart();
        if (S.Opening is { } existing)
        {
            if (existing with { Actor = command.Actor } != command)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"request id '{command.RequestId}' already opened incident {IncidentId} with other details", "request_id");
            }
        }
        else
        {
            S.Opening = command;
            S.OpenedAt = Now;
            Record(TimelineKind.Opened, command.Actor, command.Exercise ? "exercise" : null);
            await Save();
        }

        // Also on a retry: the first attempt may have stopped before the district heard of it.
        await GrainFactory.GetGrain<IDistrictGrain>(Opening.District).IncidentOpened(IncidentId);

        // The board line sent with the save above may have arrived before the district listed the incident.
        TellDistrict(again: true);
        return await Get();
    }

    public async Task<RequestView> RequestCapacity(RequestCapacity command)
    {
        await Resume();
        EnsureOpen();
        var request = S.Requests.FirstOrDefault(r => r.Command.RequestId == command.RequestId);
        if (request is not null)
        {
            if (request.Command with { Actor = command.Actor } != command)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"request id '{command.RequestId}' was already used in this incident for another request", "request_id");
            }
        }
        else
        {
            // Written together with its first offer (or its settling), not on its own: one write fewer per request.
            request = new CapacityRequestState { Command = command, End = command.Start + command.Duration };
            S.Requests.Add(request);
            Record(TimelineKind.Requested, command.Actor, null, request, guards: command.Guards);
        }

        // A retry also resumes allocation if the first attempt was cut short.
        await Allocate(request);
        return View(request);
    }

    public async Task<IncidentView> Get()
    {
        var opening = Opening;
        var pages = await Task.WhenAll(Enumerable.Range(0, S.SealedPages).Select(p => Page(p).Read()));
        var timeline = pages.SelectMany(p => p).Concat(S.TimelineTail).ToList();
        return new IncidentView(
            IncidentId, opening.District, opening.Title, opening.Location, opening.Priority, opening.Exercise,
            S.Status, S.OpenedAt, S.ClosedAt, [.. S.Requests.Select(View)], timeline, opening.UsesLiveCapacity);
    }

    public async Task<RequestView> CancelRequest(string requestId, string actor, string? reason)
    {
        await Resume();
        EnsureOpen();
        var request = FindRequest(requestId);
        if (request.Status != RequestStatus.Cancelled)
        {
            var withdrawn = Withdraw(request, actor, "request cancelled");
            await RunRelease(new ReleaseIntent(ReleaseCause.CancelRequest, actor, reason ?? "request cancelled", reason, requestId, Held(request), withdrawn));
        }

        return View(request);
    }

    public async Task<RequestView> Extend(string requestId, DateTimeOffset until, string actor)
    {
        await Resume();
        EnsureOpen();
        var request = FindRequest(requestId);
        if (until == request.End)
        {
            return View(request);
        }

        if (until < request.End)
        {
            throw CoordinationException.Invalid("until", $"must be later than the current end {request.End:u}; release units to end early");
        }

        if (request.Status is RequestStatus.Cancelled or RequestStatus.Completed)
        {
            throw CoordinationException.Precondition($"request '{requestId}' is {request.Status.ToString().ToLowerInvariant()}");
        }

        request.End = until;
        foreach (var assignment in request.Assignments.Where(a => a.Status != AssignmentStatus.Released))
        {
            assignment.Until = until;
        }

        Record(TimelineKind.Extended, actor, $"until {until:u}", request);
        await Save();
        return View(request);
    }

    public async Task<IncidentView> Release(string[] unitKeys, string actor, string? reason)
    {
        await Resume();
        EnsureOpen();
        var wanted = unitKeys.ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(k => !S.Requests.Any(r => r.Assignments.Any(a => a.UnitKey == k))).ToList();
        if (unknown.Count > 0)
        {
            throw CoordinationException.NotFound($"unit {unknown[0]} was never assigned to incident {IncidentId}");
        }

        var releasing = S.Requests.SelectMany(r => Held(r, a => wanted.Count == 0 || wanted.Contains(a.UnitKey))).ToArray();
        if (releasing.Length > 0)
        {
            await RunRelease(new ReleaseIntent(ReleaseCause.Release, actor, reason, reason, null, releasing, []));
        }

        return await Get();
    }

    public async Task<IncidentView> Close(string actor, string? reason)
    {
        _ = Opening;
        await Resume();
        if (S.Status == IncidentStatus.Open)
        {
            var withdrawn = S.Requests.SelectMany(r => Withdraw(r, actor, "incident closed")).ToArray();
            await RunRelease(new ReleaseIntent(ReleaseCause.CloseIncident, actor, "incident closed", reason, null, [.. S.Requests.SelectMany(r => Held(r))], withdrawn));
        }

        // Also on a retry: the first attempt may have stopped before the district heard of it.
        await GrainFactory.GetGrain<IDistrictGrain>(Opening.District).IncidentClosed(IncidentId);
        return await Get();
    }

    public async Task<AssignmentView> ReportProgress(string companyId, string unitId, AssignmentProgress progress)
    {
        await Resume();
        EnsureOpen();
        var key = UnitKey.Of(companyId, unitId);
        var (request, assignment) = S.Requests
            .SelectMany(r => r.Assignments.Where(a => a.UnitKey == key && a.Status != AssignmentStatus.Released).Select(a => (r, a)))
            .FirstOrDefault();
        if (assignment is null)
        {
            throw CoordinationException.Precondition($"unit '{unitId}' is not assigned to incident {IncidentId}");
        }

        var actor = $"company:{companyId}";
        switch (progress)
        {
            case AssignmentProgress.EnRoute or AssignmentProgress.OnScene:
                var status = progress == AssignmentProgress.EnRoute ? AssignmentStatus.EnRoute : AssignmentStatus.OnScene;
                if (assignment.Status == status)
                {
                    break;
                }

                if (assignment.Status == AssignmentStatus.OnScene)
                {
                    throw CoordinationException.Precondition($"unit '{unitId}' is already on scene");
                }

                await Unit(key).Progress(assignment.OfferId, status == AssignmentStatus.EnRoute ? UnitStatus.EnRoute : UnitStatus.OnScene);
                assignment.Status = status;
                Record(status == AssignmentStatus.EnRoute ? TimelineKind.EnRoute : TimelineKind.OnScene, actor, null, request, assignment.OfferId, companyId, [unitId], assignment.Guards);
                await Save();
                break;

            case AssignmentProgress.Returned:
                await RunRelease(new ReleaseIntent(ReleaseCause.Returned, actor, "returned", null, null, Held(request, a => a == assignment), []));
                break;
        }

        return View(assignment);
    }

    private void EnsureOpen()
    {
        if (Opening is not null && S.Status == IncidentStatus.Closed)
        {
            throw CoordinationException.Precondition($"incident {IncidentId} is closed");
        }
    }

    private CapacityRequestState FindRequest(string requestId) =>
        S.Requests.FirstOrDefault(r => r.Command.RequestId == requestId)
        ?? throw CoordinationException.NotFound($"incident {IncidentId} has no request '{requestId}'");

    /// <summary>The assignments of a request that hold a unit now (optionally only some), as a release names them.</summary>
    private static ReleasedUnit[] Held(CapacityRequestState request, Func<AssignmentState, bool>? which = null) =>
        [.. request.Assignments.Where(a => a.Status != AssignmentStatus.Released && (which is null || which(a)))
            .Select(a => new ReleasedUnit(request.Command.RequestId, a.UnitKey, a.OfferId))];

    /// <summary>
    /// A release that touches other grains, as one resumable step: the intent (with any offers the same
    /// command withdrew) is written first, then the units are asked, then the outcome is written.
    /// </summary>
    private async Task RunRelease(ReleaseIntent intent)
    {
        S.PendingRelease = intent;
        await Save();
        await FinishRelease();
    }

    /// <summary>
    /// Finishes the release under way, if any. Runs at the start of every command and on the timer a
    /// new activation arms, so a release a stopped silo left half-done completes on its own.
    /// </summary>
    private async Task FinishRelease()
    {
        if (S.PendingRelease is not { } intent)
        {
            return;
        }

        // The unit side ignores a release whose commitment is not its current one, so asking again is harmless.
        await Task.WhenAll(intent.Units.Select(u => Unit(u.UnitKey).Release(u.OfferId)));
        foreach (var offer in intent.WithdrawnOffers)
        {
            GrainFactory.GetGrain<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Withdrawn).Ignore();
        }

        foreach (var byRequest in intent.Units.GroupBy(u => u.RequestId))
        {
            var request = FindRequest(byRequest.Key);
            var released = byRequest
                .Select(u => request.Assignments.FirstOrDefault(a => a.UnitKey == u.UnitKey && a.OfferId == u.OfferId))
                .OfType<AssignmentState>()
                .Where(a => a.Status != AssignmentStatus.Released)
                .ToList();
            MarkReleased(request, released, intent.Actor, intent.ReleaseReason);
        }

        switch (intent.Cause)
        {
            case ReleaseCause.CancelRequest:
                var cancelled = FindRequest(intent.RequestId!);
                cancelled.Status = RequestStatus.Cancelled;
                Record(TimelineKind.Cancelled, intent.Actor, intent.Reason, cancelled);
                break;

            case ReleaseCause.UnableToFill:
                var unfilled = FindRequest(intent.RequestId!);
                unfilled.Status = RequestStatus.UnableToFill;
                Record(TimelineKind.UnableToFill, intent.Actor, intent.Reason, unfilled, guards: unfilled.Command.Guards);
                break;

            case ReleaseCause.CloseIncident:
                foreach (var request in S.Requests.Where(r => r.Status == RequestStatus.Seeking))
                {
                    request.Status = RequestStatus.Cancelled;
                }

                S.Status = IncidentStatus.Closed;
                S.ClosedAt = Now;
                Record(TimelineKind.Closed, intent.Actor, intent.Reason);
                break;
        }

        S.PendingRelease = null;
        await Save();
        if (S.Status == IncidentStatus.Closed)
        {
            _timer?.Dispose();
            _timer = null;

            // One-way: this may run on the timer while the district is waking us. Close() also awaits it.
            GrainFactory.GetGrain<IDistrictGrain>(Opening.District).IncidentClosed(IncidentId).Ignore();
        }
    }

    /// <summary>
    /// Finishes whatever a stopped silo (or a failed write) left half-done, oldest first: commitments
    /// whose intent has no outcome, then a release under way. Every command starts here, so no command
    /// builds on a half-finished one.
    /// </summary>
    private async Task Resume()
    {
        TakeStart();
        foreach (var (request, offer) in S.Requests.SelectMany(r => r.Offers.Where(o => o.Status == OfferStatus.Pending && o.Intent is not null).Select(o => (r, o))).ToList())
        {
            try
            {
                await Commit(request, offer, offer.Intent!);
            }
            catch (CoordinationException e) when (e.Code is not (ErrorKind.Unavailable or ErrorKind.Aborted))
            {
                // An all-or-nothing answer that can no longer be honoured was undone; the offer stays open.
            }
        }

        await FinishRelease();
    }

    /// <summary>Records units as released (their unit grains have let them go) and completes a request that holds nothing more.</summary>
    private void MarkReleased(CapacityRequestState request, IReadOnlyList<AssignmentState> assignments, string actor, string? reason)
    {
        if (assignments.Count == 0)
        {
            return;
        }

        foreach (var assignment in assignments)
        {
            assignment.Status = AssignmentStatus.Released;
        }

        foreach (var byCompany in assignments.GroupBy(a => UnitKey.Parse(a.UnitKey).CompanyId))
        {
            Record(TimelineKind.Released, actor, reason, request, null, byCompany.Key, [.. byCompany.Select(a => UnitKey.Parse(a.UnitKey).UnitId)], byCompany.Sum(a => a.Guards));
        }

        if (request.Status is RequestStatus.Filled or RequestStatus.PartiallyFilled
            && request.Assignments.All(a => a.Status == AssignmentStatus.Released) && request.PendingGuards == 0)
        {
            request.Status = RequestStatus.Completed;
        }
    }

    private IGuardUnitGrain Unit(string unitKey) => GrainFactory.GetGrain<IGuardUnitGrain>(unitKey);

    private ITimelinePageGrain Page(int page) => GrainFactory.GetGrain<ITimelinePageGrain>($"{IncidentId}/{page}");

    private void Record(
        TimelineKind kind, string actor, string? reason, CapacityRequestState? request = null, string? offerId = null,
        string? companyId = null, string[]? units = null, int guards = 0)
    {
        S.TimelineTail.Add(new TimelineEvent(
            S.NextSequence++, Now, kind, actor, reason, request?.Command.RequestId, offerId, companyId, units ?? [], guards));
        _unsaved = true;
    }

    // Changes not yet written. Steps that must be durable before the next call out save at once;
    // the rest is written with the step that ends the command.
    private bool _unsaved;

    private async Task SaveIfChanged()
    {
        if (_unsaved)
        {
            await Save();
        }
    }

    /// <summary>
    /// Writes the state. A full timeline tail is sealed into a page first: if the silo stops between
    /// the two writes, the page is simply written again (with the same first events) next time.
    /// </summary>
    private async Task Save()
    {
        if (S.TimelineTail.Count >= TimelinePageSize)
        {
            await Page(S.SealedPages).Write([.. S.TimelineTail]);
            S.SealedPages++;
            S.TimelineTail = [];
        }

        // A command's start record rides in its first write and is appended to the chain beside it.
        var start = StartForWrite();
        var written = state.WriteStateAsync();
        var logged = start is null ? null : AppendStart(start);
        await written;
        _unsaved = false;
        if (logged is not null)
        {
            await logged;
        }

        TellDistrict();
        if (_watchers is { Any: true } && !_notifyPending)
        {
            _notifyPending = true;
            if (_notifyTimer is null)
            {
                _notifyTimer = this.RegisterGrainTimer(NotifyWatchers, new GrainTimerCreationOptions(DashboardInterval, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            }
            else
            {
                _notifyTimer.Change(DashboardInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public async Task<DashboardUpdate> Watch(IDashboardObserver observer)
    {
        _watchers ??= new DashboardWatchers(time);
        var incident = await Get();

        // A version names one picture: a change not yet announced is announced before this watcher
        // joins, so it is not given the new picture under the old version and then sent it again.
        if (_notifyPending)
        {
            _notifyPending = false;
            _watchers.Changed(new DashboardUpdate("", null, incident));
        }

        _watchers.Watch(observer);
        return new DashboardUpdate(_watchers.Version, null, incident);
    }

    public Task Unwatch(IDashboardObserver observer)
    {
        _watchers?.Unwatch(observer);
        return Task.CompletedTask;
    }

    /// <summary>The district's board shows this incident's fill state; it hears of each change (one-way, only real differences).</summary>
    private void TellDistrict(bool again = false)
    {
        if (again)
        {
            _summarySent = null;
        }

        if (S.Opening is not { } opening || S.Status != IncidentStatus.Open)
        {
            return;
        }

        var summary = Summary(opening);
        if (summary != _summarySent)
        {
            _summarySent = summary;
            GrainFactory.GetGrain<IDistrictGrain>(opening.District).IncidentChanged(summary).Ignore();
        }
    }

    private IncidentSummary Summary(OpenIncident opening)
    {
        // Cancelled requests and completed ones (every unit released) no longer draw on capacity.
        var live = S.Requests.Where(r => r.Status is not (RequestStatus.Cancelled or RequestStatus.Completed)).ToList();
        var assignments = live.SelectMany(r => r.Assignments).ToList();
        int Guards(AssignmentStatus status) => assignments.Where(a => a.Status == status).Sum(a => a.Guards);
        return new IncidentSummary(
            IncidentId, opening.District, opening.Title, opening.Priority, opening.Exercise, S.Status, S.OpenedAt, opening.Location,
            Revision: S.NextSequence,
            Requests: live.Count,
            RequestedGuards: live.Sum(r => r.Command.Guards),
            SoughtGuards: live.Where(r => r.Status == RequestStatus.Seeking).Sum(r => r.Command.Guards - r.EverCommittedGuards),
            CommittedGuards: Guards(AssignmentStatus.Committed),
            EnRouteGuards: Guards(AssignmentStatus.EnRoute),
            OnSceneGuards: Guards(AssignmentStatus.OnScene),
            UnfilledGuards: live.Where(r => r.Status is RequestStatus.UnableToFill or RequestStatus.PartiallyFilled).Sum(r => r.Command.Guards - r.HeldGuards));
    }

    private async Task NotifyWatchers(CancellationToken cancellationToken)
    {
        if (!_notifyPending)
        {
            return; // a watcher joining announced it already
        }

        _notifyPending = false;
        if (_watchers is { Any: true } watchers)
        {
            watchers.Changed(new DashboardUpdate("", null, await Get()));
        }
    }

    // Committed guards are what is held now; guards committed and later released are history, shown apart.
    private RequestView View(CapacityRequestState r) => new(
        r.Command.RequestId, r.Command.Capability, r.Command.Guards, r.Command.Location, r.Command.Start, r.End,
        r.Command.AllowPartial, r.Command.AllowNeighbours, r.Status, r.HeldGuards, r.PendingGuards,
        [.. r.Offers.Select(o =>
        {
            var held = r.Assignments.Where(a => a.OfferId == o.OfferId && a.Status != AssignmentStatus.Released).Sum(a => a.Guards);
            return new OfferView(o.OfferId, r.Command.RequestId, o.CompanyId, o.Guards,
                [.. o.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], o.Status, o.Deadline, held, o.Reason, o.Automatic, o.CommittedGuards - held);
        })],
        [.. r.Assignments.Select(a => View(a, r))],
        r.EverCommittedGuards - r.HeldGuards);

    private AssignmentView View(AssignmentState a) => View(a, S.Requests.First(r => r.Assignments.Contains(a)));

    private static AssignmentView View(AssignmentState a, CapacityRequestState r)
    {
        var (company, unit) = UnitKey.Parse(a.UnitKey);
        return new AssignmentView(company, unit, a.Guards, a.Status, r.Command.RequestId, a.OfferId, a.CommittedAt, a.Until);
    }
}
