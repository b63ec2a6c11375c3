using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// The country: the 12 districts' figures, their sum, every open incident's board line and every
/// outstanding bulletin's (district by district, each district's newest first).
/// Districts report at a bounded rate, so this grain never sees unit-level traffic; on activation
/// it asks each district once.
/// </summary>
internal sealed class NationalGrain(TimeProvider time) : Grain, INationalGrain
{
    private static readonly TimeSpan NotifyInterval = GrainTuning.NationalDashboardInterval;

    private readonly Dictionary<string, DistrictSituation> _districts = new(StringComparer.Ordinal);
    private readonly DashboardWatchers _watchers = new(time);
    private bool _changed;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var situations = await Task.WhenAll(ReferenceData.Current.Districts.Select(d => GrainFactory.Reference<IDistrictGrain>(d.Id).GetSituation()));
        foreach (var situation in situations)
        {
            Keep(situation);
        }

        this.RegisterGrainTimer(NotifyWatchers, new GrainTimerCreationOptions(NotifyInterval, NotifyInterval) { KeepAlive = true });
    }

    public Task<DashboardUpdate> Watch(IDashboardObserver observer)
    {
        // A version names one picture: a change not yet announced is announced before this watcher
        // joins, so it is not given the new picture under the old version and then sent it again.
        NotifyWatchers(CancellationToken.None);
        _watchers.Watch(observer);
        return Task.FromResult(Picture() with { Version = _watchers.Version });
    }

    public Task Unwatch(IDashboardObserver observer)
    {
        _watchers.Unwatch(observer);
        return Task.CompletedTask;
    }

    private Task NotifyWatchers(CancellationToken cancellationToken)
    {
        if (_changed)
        {
            _changed = false;
            _watchers.Changed(Picture());
        }

        return Task.CompletedTask;
    }

    private DashboardUpdate Picture()
    {
        var districts = _districts.Values.Select(d => d.Figures).OrderBy(f => f.Districts[0], StringComparer.Ordinal).ToList();
        return new DashboardUpdate(
            "",
            CapacityFigures.Sum(districts, time.GetUtcNow()),
            Incidents: IncidentSummary.BoardOrder(_districts.Values.SelectMany(d => d.Incidents)),
            Districts: districts,
            Bulletins: [.. _districts.OrderBy(d => d.Key, StringComparer.Ordinal).SelectMany(d => d.Value.Bulletins ?? [])]);
    }

    public Task Report(DistrictSituation district)
    {
        Keep(district);
        return Task.CompletedTask;
    }

    public Task<CapacityFigures> GetCapacity() => Task.FromResult(CapacityFigures.Sum([.. _districts.Values.Select(d => d.Figures)], time.GetUtcNow()));

    private void Keep(DistrictSituation situation)
    {
        var id = situation.Figures.Districts[0];
        if (!_districts.TryGetValue(id, out var held) || held.Figures.AsOf <= situation.Figures.AsOf)
        {
            // A district's periodic refresh repeats its picture: only a real difference is news for dashboards.
            _changed |= held is null || !held.Shows(situation);
            _districts[id] = situation;
        }
    }
}
