using Coordination.Domain;
using Orleans.Concurrency;

namespace Coordination.Silo.Persistence;

/// <summary>This silo's <see cref="StorageHealth"/>, for a gateway's health check; one local activation, no state.</summary>
[StatelessWorker(1)]
internal sealed class StorageHealthGrain(StorageHealth health) : Grain, IStorageHealthGrain
{
    public Task<string?> Problem() => Task.FromResult(health.Problem);
}
