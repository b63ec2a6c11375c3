using Orleans.Storage;

namespace Coordination.Tests.Infrastructure;

/// <summary>Grain state that is already bytes, stored as they are: the storage tests read the payload back exactly.</summary>
internal sealed class BytesSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new((byte[])(object)input!);

    public T Deserialize<T>(BinaryData input) => (T)(object)input.ToArray();
}
