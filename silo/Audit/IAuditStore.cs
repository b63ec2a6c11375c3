using Coordination.Domain;

namespace Coordination.Silo.Audit;

/// <summary>Where the audit chain's rows live: the SQLite file on a single node, PostgreSQL in a cluster.</summary>
public interface IAuditStore
{
    /// <summary>The newest entry, from which the chain continues; null for an empty log.</summary>
    Task<AuditEntry?> LastAsync();

    /// <summary>Appends all entries or none; completes only once they are durable.</summary>
    Task AppendAsync(IReadOnlyList<AuditEntry> entries);

    /// <summary>
    /// True when appends are applied in the order they are called, and an append whose predecessor in
    /// the chain is not in the log fails: the audit grain may then hand over the next batch before the
    /// last one is durable (they share the SQLite writer's next group commit). False: one at a time.
    /// </summary>
    bool AppendsInCallOrder => false;

    Task<IReadOnlyList<AuditEntry>> ReadAsync(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit);
}

/// <summary>
/// A layer put around the audit store: the fault tests register one that fails chosen appends, so
/// they take the path a full or unreachable database takes. Nothing registers one in production.
/// </summary>
public sealed record AuditStoreLayer(Func<IAuditStore, IAuditStore> Around);
