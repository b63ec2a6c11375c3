using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// What others show of the incident: its line on the district's board (sent one-way, only when it
/// differs) and the whole incident to dashboard watchers (at most every <see cref="DashboardInterval"/>).
/// </summary>
internal sealed partial class IncidentGrain
{
    // Dashboards are told of a change at most this often: a command's several steps cost them one picture.
    private static readonly TimeSpan DashboardInterval = GrainTuning.DashboardInterval;

    private DashboardWatchers? _watchers;
    private IncidentSummary? _summarySent;
    private IGrainTimer? _notifyTimer;
    private bool _notifyPending;

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

    /// <summary>A write changed the incident: watchers, if any, are shown it once the interval has passed.</summary>
    private void AnnounceToWatchers()
    {
        if (_watchers is { Any: true } && !_notifyPending)
        {
            _notifyPending = true;
            _notifyTimer = this.Arm(_notifyTimer, NotifyWatchers, DashboardInterval);
        }
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
            GrainFactory.Reference<IDistrictGrain>(opening.District).IncidentChanged(summary).Ignore();
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
            Revision: Timeline.NextSequence,
            Requests: live.Count,
            RequestedGuards: live.Sum(r => r.Command.Guards),
            SoughtGuards: live.Where(r => r.Status == RequestStatus.Seeking).Sum(r => r.Command.Guards - r.EverCommittedGuards),
            CommittedGuards: Guards(AssignmentStatus.Committed),
            EnRouteGuards: Guards(AssignmentStatus.EnRoute),
            OnSceneGuards: Guards(AssignmentStatus.OnScene),
            UnfilledGuards: live.Where(r => r.Status is RequestStatus.UnableToFill or RequestStatus.PartiallyFilled).Sum(r => r.Command.Guards - r.HeldGuards));
    }
}
