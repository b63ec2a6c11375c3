using System.Globalization;
using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Orleans' ADO.NET grain storage with its writes group-committed: reads (and the rare clear) go
/// through the stock provider; a write runs the provider's own named query, WriteToStorageKey from
/// OrleansQuery, with the parameters the provider would pass, but inside a group of writes that
/// share one transaction (<see cref="IStateWriter"/>: the SQLite file's single writer, or
/// PostgreSQL's group writers), so concurrent grains share one commit. The version check is the
/// provider's: a write based on a version that is no longer current is refused with
/// <see cref="InconsistentStateException"/>.
/// </summary>
internal sealed class GroupCommitGrainStorage(AdoNetGrainStorage inner, IStateWriter writer, IGrainStorageSerializer serializer, string serviceId)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Only string keys are stored this way (every grain here has one); others keep the provider's path.
        if (grainId.TryGetGuidKey(out _, out _) || grainId.TryGetIntegerKey(out _, out _))
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        int? expected = string.IsNullOrWhiteSpace(grainState.ETag) ? null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var payload = ExactSizeGrainStorageSerializer.Bytes(serializer.Serialize(grainState.State));
        StorageMetrics.Serialized(stateName, payload.Length);
        var key = grainId.Key.ToString();
        var stored = await writer.WriteAsync(stateName, key, expected, payload, BackgroundWrite.IsCurrent);
        if (stored is null || stored == expected)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={serviceId} GrainType={stateName} GrainId={key} ETag={grainState.ETag}: another activation wrote this grain's state.");
        }

        grainState.ETag = stored.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);
}

/// <summary>
/// Runs the provider's WriteToStorageKey for one grain's state inside the store's next group commit.
/// The hash columns are not part of this project's schema key (see the schema scripts), so they are
/// written as 0; the stock provider reads such rows by the natural key.
/// </summary>
internal interface IStateWriter
{
    /// <summary>
    /// The version stored, or null (or <paramref name="expected"/>) when the version check refused the write.
    /// A <paramref name="background"/> write gives way to commands' writes (see <see cref="WriteLanes{T}"/>).
    /// </summary>
    Task<int?> WriteAsync(string stateName, string key, int? expected, byte[] payload, bool background);
}
