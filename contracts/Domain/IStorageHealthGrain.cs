namespace Coordination.Domain;

/// <summary>
/// Whether the silo that answers can write its stores right now: a stateless worker, so a gateway's
/// health check reads the silo it reaches (its own, when co-hosted) without any grain state.
/// </summary>
[Alias("coordination.IStorageHealthGrain")]
public interface IStorageHealthGrain : IGrainWithIntegerKey
{
    /// <summary>Null while every store can be written; otherwise what cannot be written and why, for the health check's description.</summary>
    [Alias("Problem"), ReadOnly]
    Task<string?> Problem();
}
