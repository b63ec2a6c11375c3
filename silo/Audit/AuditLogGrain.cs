using Coordination.Domain;
using Coordination.Silo.Persistence;

namespace Coordination.Silo.Audit;

/// <summary>
/// The single writer of the audit chain. It keeps the last sequence and hash in memory (read back
/// from the log on activation) and appends each batch in one transaction before answering.
/// </summary>
internal sealed class AuditLogGrain(IAuditStore store, StorageHealth health) : Grain, IAuditLogGrain
{
    private long _sequence;
    private string _hash = AuditChain.Genesis;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        AuditEntry? last;
        try
        {
            last = await store.LastAsync();
        }
        catch (Exception e) when (e is not CoordinationException)
        {
            throw Unavailable(e, "read");
        }

        if (last is not null)
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
            var entry = AuditChain.Seal(new AuditEntry(++sequence, r.At, r.Subject, r.Role, r.Scope, r.Rpc, r.RequestId, r.IncidentId, r.Outcome, r.Detail, hash, "", r.Call));
            entries.Add(entry);
            hash = entry.Hash;
        }

        try
        {
            await store.AppendAsync(entries);
        }
        catch (Exception e)
        {
            // The batch is not in the log. If another writer moved the chain on meanwhile (a brief
            // double activation during a cluster change), this activation's head is stale: the next
            // activation reads the head back from the log. The driver's exception cannot cross to
            // another silo's gateway: the cause goes as text in the project's own exception.
            DeactivateOnIdle();
            throw e as CoordinationException
                ?? health.Refusal(e, StorageHealth.AuditLog, $"append {entries.Count} records")
                ?? Unavailable(e, "written");
        }

        // Only once the rows are on disk does the chain move on; a failed batch is simply not there.
        health.Written(StorageHealth.AuditLog);
        _sequence = sequence;
        _hash = hash;
        return sequence;
    }

    public async Task<IReadOnlyList<AuditEntry>> Read(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit)
    {
        try
        {
            return await store.ReadAsync(incidentId, from, to, afterSequence, limit);
        }
        catch (Exception e) when (e is not CoordinationException)
        {
            throw Unavailable(e, "read");
        }
    }

    // A driver's exception cannot cross to another silo's gateway: the cause goes as text in the project's own.
    private static CoordinationException Unavailable(Exception e, string what) =>
        new(ErrorKind.Unavailable, $"the audit log could not be {what} ({e.Message.ReplaceLineEndings(" ")}); retry with the same id");
}
