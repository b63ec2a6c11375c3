using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// One writer at a time on the SQLite file, in this process. SQLite admits a single writer anyway;
/// letting many connections race for the lock makes Microsoft.Data.Sqlite sleep 150 ms on every
/// SQLITE_BUSY, so concurrent grain writes queued behind a lock took far longer than the same writes
/// taken in turn. Readers are not gated: WAL lets them run beside the writer.
/// </summary>
public sealed class SqliteWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<T> RunAsync<T>(Func<Task<T>> write)
    {
        await _gate.WaitAsync();
        try
        {
            return await write();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RunAsync(Func<Task> write) => RunAsync(async () =>
    {
        await write();
        return true;
    });
}

/// <summary>Orleans' ADO.NET grain storage with its writes taken through the <see cref="SqliteWriteGate"/>.</summary>
internal sealed class GatedGrainStorage(AdoNetGrainStorage inner, SqliteWriteGate gate) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.RunAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        gate.RunAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);
}
