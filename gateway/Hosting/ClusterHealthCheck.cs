using Coordination.Domain;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coordination.Gateway.Hosting;

/// <summary>Healthy when the cluster answers a read of the national view within a short bound.</summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<INationalGrain>(INationalGrain.Key).GetCapacity().WaitAsync(Bound, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the cluster did not answer", e);
        }
    }
}
