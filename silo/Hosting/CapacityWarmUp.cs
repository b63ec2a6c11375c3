using Coordination.Domain;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Hosting;

/// <summary>
/// After the silo starts, wakes the national view, which wakes the districts, which rebuild their
/// figures from their units and re-arm each unit's staleness timer. Without this, capacity would
/// read zero after a restart until someone asked.
/// </summary>
internal sealed class CapacityWarmUp(IGrainFactory grains, ILogger<CapacityWarmUp> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<CapacityWarmUp>(ServiceLifecycleStage.Active, async _ =>
        {
            var started = TimeProvider.System.GetTimestamp();
            var figures = await grains.GetGrain<INationalGrain>(INationalGrain.Key).GetCapacity();
            logger.LogInformation(
                "Capacity ready: {Units} registered units, {Available} available ({Guards} guards), in {Elapsed}",
                figures.RegisteredUnits, figures.AvailableUnits, figures.AvailableGuards, TimeProvider.System.GetElapsedTime(started));
        });
}
