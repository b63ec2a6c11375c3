using Coordination.Domain;

namespace Coordination.Silo.Audit;

/// <summary>
/// The single writer of the audit chain. It keeps the last sequence and hash in memory (read back
/// from the log on activation) and appends each batch in one transaction before answering.
/// </summary>
internal sealed class AuditLogGrain(IAuditStore store) : Grain, IAuditLogGrain
{
    private long _sequence;
    private string _hash = AuditChain.Genesis;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (await store.LastAsync() is { } last)
        {
            _sequence = last.Sequence;
            _hash = last.Hash;
        }
    }

    public async Task<long> Append(IReadOnlyList<AuditRecord> records)
    {
        var entries = new List<AuditEntry>(records.Count);
        var sequence = _sequence;
        var hash = _hash;
        foreach (var r in records)
        {
            var entry = AuditChain.Seal(new AuditEntry(++sequence, r.At, r.Subject, r.Role, r.Scope, r.Rpc, r.RequestId, r.IncidentId, r.Outcome, r.Detail, hash, ""));
            entries.Add(entry);
            hash = entry.Hash;
        }

        try
        {
            await store.AppendAsync(entries);
        }
        catch
        {
            // The batch is not in the log. If another writer moved the chain on meanwhile (a brief
            // double activation during a cluster change), this activation's head is stale: the next
            // activation reads the head back from the log.
            DeactivateOnIdle();
            throw;
        }

        // Only once the rows are on disk does the chain move on; a failed batch is simply not there.
        _sequence = sequence;
        _hash = hash;
        return sequence;
    }

    public Task<IReadOnlyList<AuditEntry>> Read(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit) =>
        store.ReadAsync(incidentId, from, to, afterSequence, limit);
}
