using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Silo.Grains;

/// <summary>
/// The open observations routed to the district, as its dashboards show them (<see cref="ObservationBoard"/>).
/// The queue owns them; the district only draws them, and never passes them to the national view.
/// </summary>
internal sealed partial class DistrictGrain
{
    private readonly ObservationBoard _observations = new();

    public Task ObservationChanged(IReadOnlyList<ObservationLine> lines)
    {
        var changed = false;
        foreach (var line in lines.Where(l => l.District == DistrictId))
        {
            changed |= _observations.Show(line);
        }

        // The district's dashboards only: the national view's picture has no observations, so it is not told.
        _changedSinceNotify |= changed;
        return Task.CompletedTask;
    }
}
