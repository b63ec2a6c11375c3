using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// A layer put around the storage provider, under <see cref="InStepGrainStorage"/>: the fault tests
/// register one that fails chosen writes, so they exercise exactly the path a real database fault
/// takes. Nothing registers one in production.
/// </summary>
public sealed record GrainStorageLayer(Func<IGrainStorage, IGrainStorage> Around);
