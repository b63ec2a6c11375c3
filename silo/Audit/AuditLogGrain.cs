using Coordination.Domain;
using Coordination.Silo.Persistence;

namespace Coordination.Silo.Audit;

/// <summary>
/// The single writer of the audit chain. It keeps the last sequence and hash in memory (read back
/// from the log on activation) and appends each batch in one transaction before answering. Appends
/// interleave: on SQLite a batch joins the writer's next group while the one before is committing,
/// instead of waiting a whole commit for it (each command writes two records on its path).
/// </summary>
internal sealed class AuditLogGrain(IAuditStore store, StorageHealth health) : Grain, IAuditLogGrain
{
    // The end of the chain as handed to the store: the last batch may not be durable yet.
    private long _sequence;
    private string _hash = AuditChain.Genesis;
    private Task _last = Task.CompletedTask;
    private CoordinationException? _failure;

    // Records of appends that arrived together, not yet handed to the store, and the batch's outcome.
    private List<AuditRecord>? _gathering;
    private Task<long>? _gathered;

    // The calls' records the chain holds lately ("call/outcome"), so an append repeated after its answer
    // was lost (it landed, the writer heard a failure and tried again) is not written twice: read back
    // from the log's tail on activation, kept as batches are handed over, the newest RecentHeld only.
    private const int RecentHeld = 8_192;
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

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
            try
            {
                foreach (var entry in await store.ReadAsync(null, null, null, Math.Max(0, last.Sequence - RecentHeld), RecentHeld))
                {
                    Remember(entry.Call, entry.Outcome);
                }
            }
            catch (Exception e) when (e is not CoordinationException)
            {
                throw Unavailable(e, "read");
            }
        }
    }

    private static string? Key(string? call, string outcome) => call is null ? null : $"{call}/{outcome}";

    /// <summary>Notes a record as in the chain; false when it already was.</summary>
    private bool Remember(string? call, string outcome)
    {
        if (Key(call, outcome) is not { } key)
        {
            return true;
        }

        if (!_recent.Add(key))
        {
            return false;
        }

        _recentOrder.Enqueue(key);
        if (_recentOrder.Count > RecentHeld)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }

        return true;
    }

    public Task<long> Append(IReadOnlyList<AuditRecord> records)
    {
        if (_failure is not null)
        {
            // The end of the chain is wrong from the failed batch on; the next activation reads it back.
            return Task.FromException<long>(_failure);
        }

        if (_gathering is null)
        {
            _gathering = [];
            _gathered = HandOverSoon();
        }

        _gathering.AddRange(records);
        return _gathered!;
    }

    /// <summary>
    /// Hands what was gathered to the store one turn later: calls already waiting at this activation
    /// (appends interleave) join the batch first, so the single start records incidents append, one
    /// per command, cost the store one piece together rather than one each.
    /// </summary>
    private async Task<long> HandOverSoon()
    {
        await Task.Yield();
        var records = _gathering!;
        _gathering = null;
        _gathered = null;
        if (_failure is not null)
        {
            throw _failure;
        }

        // Everything up to handing the batch over runs in one turn: calls interleave only at the await,
        // so each batch is chained on the one handed over before it, durable or not yet.
        var entries = new List<AuditEntry>(records.Count);
        foreach (var r in records)
        {
            if (!Remember(r.Call, r.Outcome))
            {
                // Already in the chain (or handed over in an earlier batch): a repeat after a lost answer.
                continue;
            }

            var entry = AuditChain.Seal(new AuditEntry(++_sequence, r.At, r.Subject, r.Role, r.Scope, r.Rpc, r.RequestId, r.IncidentId, r.Outcome, r.Detail, _hash, "", r.Call));
            entries.Add(entry);
            _hash = entry.Hash;
        }

        // Nothing new (every record a repeat): durable once what was handed over before is.
        var write = entries.Count == 0 ? _last : store.AppendsInCallOrder ? store.AppendAsync(entries) : AfterAsync(_last, entries);
        _last = write;
        try
        {
            await write;
        }
        catch (Exception e)
        {
            // The batch is not in the log, so nor is any batch chained on it: this activation's end of
            // the chain is wrong from here on. It refuses further batches, with the first failure's cause
            // (a full disk, say, not "broken chain"), and goes; the next activation reads the end back from
            // the log. (Also right when another writer moved the chain on during a brief double activation
            // in a cluster change.) A driver's exception cannot cross to another silo's gateway: the cause
            // goes as text in the project's own exception.
            DeactivateOnIdle();
            throw _failure ??= e as CoordinationException
                ?? health.Refusal(e, StorageHealth.AuditLog, $"append {entries.Count} records")
                ?? Unavailable(e, "written");
        }

        health.Written(StorageHealth.AuditLog);
        if (entries.Count > 0)
        {
            StorageMetrics.Appended(entries.Count);
        }

        return entries.Count > 0 ? entries[^1].Sequence : _sequence;
    }

    // Stores that cannot keep call order take one batch at a time, each after the one before is durable;
    // when that one failed, this one (chained on it) fails with the same cause.
    private async Task AfterAsync(Task previous, IReadOnlyList<AuditEntry> entries)
    {
        await previous;
        await store.AppendAsync(entries);
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
