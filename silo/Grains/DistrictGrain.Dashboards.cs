using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// Reporting: dashboards watching the district and the national view are told of changes to the
/// figures or the board, each at a bounded rate, by one timer started at activation. The district's
/// dashboards also show its open observations; the national view is never sent them.
/// </summary>
internal sealed partial class DistrictGrain
{
    // Dashboards are told at most this often; a burst of status changes costs them one picture.
    private static readonly TimeSpan DashboardInterval = GrainTuning.DashboardInterval;

    // The national view is told at most this often, so a burst of status changes costs it one message.
    private static readonly TimeSpan NationalReportInterval = GrainTuning.NationalReportInterval;

    // ...and at least this often, so a lost one-way report heals on its own.
    private static readonly TimeSpan NationalRefreshInterval = GrainTuning.NationalRefreshInterval;

    private readonly DashboardWatchers _watchers = new(time);
    private bool _changedSinceReport = true;
    private bool _changedSinceNotify;
    private DistrictSituation? _shown;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    public Task<DashboardUpdate> Watch(IDashboardObserver observer)
    {
        // A version names one picture. A change not yet announced is announced now, before this
        // watcher joins, and the watcher gets the announced picture: answering with the current
        // figures under the last announced version gave two pictures one version, so a viewer
        // resuming from it was sent the same figures again under the next version.
        Announce(time.GetUtcNow());
        _watchers.Watch(observer);
        return Task.FromResult(new DashboardUpdate(_watchers.Version, _shown!.Figures, Incidents: _shown.Incidents, Bulletins: _shown.Bulletins, Observations: _shown.Observations));
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
        var picture = new DistrictSituation(figures, Incidents.Lines, Bulletins.Lines, _observations.Lines);

        // A unit's change that leaves every count as it was (a new position, say) is no news for dashboards.
        if (_shown is null || !_shown.Shows(picture))
        {
            _shown = picture;
            _watchers.Changed(new DashboardUpdate("", figures, Incidents: picture.Incidents, Bulletins: picture.Bulletins, Observations: picture.Observations));
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
            // No observations: they stay in the district's own picture.
            return GrainFactory.Reference<INationalGrain>(INationalGrain.Key).Report(new DistrictSituation(figures ?? _tally.Figures(DistrictId, now), Incidents.Lines, Bulletins.Lines));
        }

        return Task.CompletedTask;
    }
}
