using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// The country: the sum of the 12 districts. Districts report their figures at a bounded rate, so
/// this grain never sees unit-level traffic; on activation it asks each district once.
/// </summary>
internal sealed class NationalGrain(TimeProvider time) : Grain, INationalGrain
{
    private static readonly TimeSpan NotifyInterval = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, CapacityFigures> _districts = new(StringComparer.Ordinal);
    private readonly DashboardWatchers _watchers = new(time);
    private bool _changed;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var figures = await Task.WhenAll(ReferenceData.Current.Districts.Select(d => GrainFactory.GetGrain<IDistrictGrain>(d.Id).GetCapacity()));
        foreach (var f in figures)
        {
            Keep(f);
        }

        this.RegisterGrainTimer(NotifyWatchers, new GrainTimerCreationOptions(NotifyInterval, NotifyInterval) { KeepAlive = true });
    }

    public Task<DashboardUpdate> Watch(IDashboardObserver observer)
    {
        _watchers.Watch(observer);
        return Task.FromResult(new DashboardUpdate(_watchers.Version, Sum()));
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
            _watchers.Changed(Sum());
        }

        return Task.CompletedTask;
    }

    private CapacityFigures Sum() => CapacityFigures.Sum([.. _districts.Values], time.GetUtcNow());

    public Task Report(CapacityFigures district)
    {
        Keep(district);
        return Task.CompletedTask;
    }

    public Task<CapacityFigures> GetCapacity() => Task.FromResult(Sum());

    private static bool SameCounts(CapacityFigures a, CapacityFigures b) =>
        a.RegisteredUnits == b.RegisteredUnits && a.StaleUnits == b.StaleUnits && a.AvailableGuards == b.AvailableGuards
        && a.ByCapability.SequenceEqual(b.ByCapability) && a.ByStatus.SequenceEqual(b.ByStatus);

    private void Keep(CapacityFigures figures)
    {
        var id = figures.Districts[0];
        if (!_districts.TryGetValue(id, out var held) || held.AsOf <= figures.AsOf)
        {
            // A district's periodic refresh repeats its figures: only a real difference is news for dashboards.
            _changed |= held is null || !SameCounts(held, figures);
            _districts[id] = figures;
        }
    }
}
