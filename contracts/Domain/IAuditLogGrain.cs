namespace Coordination.Domain;

[GenerateSerializer, Immutable, Alias("coordination.AuditRecord")]
public sealed record AuditRecord(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Subject,
    [property: Id(2)] string Role,
    [property: Id(3)] string Scope,
    [property: Id(4)] string Rpc,
    [property: Id(5)] string? RequestId,
    [property: Id(6)] string? IncidentId,
    [property: Id(7)] string Outcome,
    [property: Id(8)] string? Detail,
    [property: Id(9)] string? Call = null);

/// <summary>
/// The append-only audit log (key: "audit"): the single writer of the hash chain, so the chain has
/// one order. Gateways send entries in batches; a batch is durable before the call returns.
/// </summary>
[Alias("coordination.IAuditLogGrain")]
public interface IAuditLogGrain : IGrainWithStringKey
{
    public const string Key = "audit";

    /// <summary>
    /// Appends the records after everything appended before; completes once they are durable. Calls
    /// interleave, so a batch is handed to the store while earlier ones are still being committed
    /// (the grain chains them itself and fails every batch chained on one that failed).
    /// </summary>
    [Alias("Append"), AlwaysInterleave]
    Task<long> Append(IReadOnlyList<AuditRecord> records);

    /// <summary>Entries in order after <paramref name="afterSequence"/>; by incident and/or time range when given.</summary>
    [Alias("Read"), ReadOnly]
    Task<IReadOnlyList<AuditEntry>> Read(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit);
}
