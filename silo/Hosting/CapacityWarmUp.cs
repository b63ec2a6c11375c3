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
    // A cluster's response timeout is a few seconds (FailureDetectionOptions), and rebuilding a district
    // of tens of thousands of units can take longer. The rebuild goes on behind a call that timed out, so
    // asking again is answered once it is done; a start-up that never answers still fails, after this long.
    private static readonly TimeSpan Patience = Grains.GrainTuning.WarmUpPatience;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<CapacityWarmUp>(ServiceLifecycleStage.Active, async _ =>
        {
            var started = TimeProvider.System.GetTimestamp();
            while (true)
            {
                try
                {
                    var figures = await grains.Reference<INationalGrain>(INationalGrain.Key).GetCapacity();
                    logger.LogInformation(
                        "Capacity ready: {Units} registered units, {Available} available ({Guards} guards), in {Elapsed}",
                        figures.RegisteredUnits, figures.AvailableUnits, figures.AvailableGuards, TimeProvider.System.GetElapsedTime(started));
                    return;
                }
                catch (TimeoutException e) when (TimeProvider.System.GetElapsedTime(started) < Patience)
                {
                    logger.LogInformation("Capacity still rebuilding after {Elapsed} ({Cause}); asking again", TimeProvider.System.GetElapsedTime(started), e.Message);
                }
            }
        });
}
