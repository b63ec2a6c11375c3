using Orleans.Serialization;
using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Orleans' binary grain state format, the same bytes as <see cref="OrleansGrainStorageSerializer"/>
/// (a test holds them equal), written into pooled buffers and copied once into an array of its exact
/// size. Orleans' own serializer grows a fresh buffer by doubling for every write, and the group writer
/// then copied the result again: for an incident's state, three to four times its size allocated per
/// write, on the path of every decision.
/// </summary>
internal sealed class ExactSizeGrainStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;

    /// <summary>The serialized bytes as one array: the array itself when the data wraps a whole one (as this serializer's does), else a copy.</summary>
    public static byte[] Bytes(BinaryData data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data.ToMemory(), out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}
