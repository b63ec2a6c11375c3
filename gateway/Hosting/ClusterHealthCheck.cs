using Coordination.Domain;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Coordination.Gateway.Hosting;

/// <summary>
/// Healthy when the cluster answers a read of the national view within a short bound and the silo
/// reached can write its stores. A full or read-only store is unhealthy although reads still work:
/// every command would be refused, so a load balancer should send them elsewhere (or nowhere) until
/// a write succeeds again (the silo keeps trying; see the silo's StorageHealth).
/// </summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var storage = grains.GetGrain<IStorageHealthGrain>(0).Problem();
            await grains.Reference<INationalGrain>(INationalGrain.Key).GetCapacity().WaitAsync(Bound, cancellationToken);
            return await storage.WaitAsync(Bound, cancellationToken) is { } problem
                ? HealthCheckResult.Unhealthy(problem)
                : HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the cluster did not answer", e);
        }
    }
}
