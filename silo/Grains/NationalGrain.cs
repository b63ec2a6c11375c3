using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// The country: the sum of the 12 districts. Districts report their figures at a bounded rate, so
/// this grain never sees unit-level traffic; on activation it asks each district once.
/// </summary>
internal sealed class NationalGrain(TimeProvider time) : Grain, INationalGrain
{
    private readonly Dictionary<string, CapacityFigures> _districts = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var figures = await Task.WhenAll(ReferenceData.Current.Districts.Select(d => GrainFactory.GetGrain<IDistrictGrain>(d.Id).GetCapacity()));
        foreach (var f in figures)
        {
            Keep(f);
        }
    }

    public Task Report(CapacityFigures district)
    {
        Keep(district);
        return Task.CompletedTask;
    }

    public Task<CapacityFigures> GetCapacity() =>
        Task.FromResult(CapacityFigures.Sum([.. _districts.Values], time.GetUtcNow()));

    private void Keep(CapacityFigures figures)
    {
        var id = figures.Districts[0];
        if (!_districts.TryGetValue(id, out var held) || held.AsOf <= figures.AsOf)
        {
            _districts[id] = figures;
        }
    }
}
