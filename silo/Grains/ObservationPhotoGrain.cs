using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// One photo of an observation: its bytes in a row of their own, so the observation's own writes
/// (triage, feedback) never carry them. Written once; erased once (bytes gone, description and hash kept).
/// </summary>
internal sealed class ObservationPhotoGrain(
    [PersistentState("observation-photo", StorageNames.Grains)] IPersistentState<StoredPhoto> state,
    TimeProvider time) : Grain, IObservationPhotoGrain
{
    public async Task Store(PhotoInfo info, byte[] data)
    {
        if (state.State.Info?.Sha256 == info.Sha256 && state.State.ErasedAt is null)
        {
            return;
        }

        // New; or left by an attempt whose report was never stored (only then is a photo stored at all, so
        // those bytes belong to nothing): erased as an orphan, or other bytes. Stored anew.
        state.State.Info = info;
        state.State.Data = data;
        state.State.ErasedAt = null;
        await state.WriteStateAsync();
    }

    public Task<ObservationPhotoBytes> Read()
    {
        if (state.State.Info is not { } info)
        {
            throw CoordinationException.NotFound($"no photo {this.GetPrimaryKeyString()}");
        }

        if (state.State.ErasedAt is { } erased)
        {
            throw CoordinationException.Precondition($"photo {this.GetPrimaryKeyString()} was erased on {erased:u} (retention of personal data); its hash remains");
        }

        return Task.FromResult(new ObservationPhotoBytes(info, state.State.Data));
    }

    public async Task Erase()
    {
        if (state.State.ErasedAt is null && (state.State.Info is not null || state.State.Data.Length > 0))
        {
            state.State.Data = [];
            state.State.ErasedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }
    }
}

[GenerateSerializer, Alias("coordination.StoredPhoto")]
public sealed class StoredPhoto
{
    [Id(0)] public PhotoInfo? Info { get; set; }

    [Id(1)] public byte[] Data { get; set; } = [];

    [Id(2)] public DateTimeOffset? ErasedAt { get; set; }
}
