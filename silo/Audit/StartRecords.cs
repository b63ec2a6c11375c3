using Coordination.Domain;
using Coordination.Silo.Grains;

namespace Coordination.Silo.Audit;

/// <summary>
/// Appends commands' start records to the chain ahead of their first change, for grains whose first
/// change is not a write of their own that could carry the record (a unit's report, an incident's
/// commitment, where the unit's write comes first). One per silo: the records that wait while an
/// append is on its way go together in the next one, so the audit log receives a call per batch, not
/// per command (a capacity request paid a grain call for its start record alone; the gateway's
/// AuditWriter does the same for outcome records).
/// </summary>
internal sealed class StartRecords(IGrainFactory grains)
{
    // Two on their way at once: the next batch joins the store's next group commit while one commits.
    private const int MaxInFlight = 2;

    private readonly Lock _lock = new();
    private List<(AuditRecord Record, TaskCompletionSource Durable)> _waiting = [];
    private int _inFlight;

    /// <summary>
    /// Durable when it returns. The audit grain reactivating after a failed append (it deactivates to
    /// re-read the chain's head) rejects calls for a moment: as the gateway's writer does, a batch is
    /// tried again briefly; then its commands are refused with nothing changed. The log's own refusals
    /// (a full store, say) are already the project's errors and pass as they are.
    /// </summary>
    public async Task Append(AuditRecord start, string what)
    {
        var durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        List<(AuditRecord, TaskCompletionSource)>? batch = null;
        lock (_lock)
        {
            _waiting.Add((start, durable));
            if (_inFlight < MaxInFlight)
            {
                batch = TakeWaiting();
            }
        }

        if (batch is not null)
        {
            Send(batch);
        }

        try
        {
            await durable.Task;
        }
        catch (Exception e) when (e is not CoordinationException)
        {
            throw CoordinationException.Unavailable($"the audit log could not record {what}'s start ({e.Message}); nothing was changed, retry");
        }
    }

    // Under the lock.
    private List<(AuditRecord, TaskCompletionSource)> TakeWaiting()
    {
        var batch = _waiting;
        _waiting = [];
        _inFlight++;
        return batch;
    }

    /// <summary>
    /// Off the calling grain's turn and without its request context: the batch carries other grains'
    /// records, and a grain's caller must not ride on the log's call.
    /// </summary>
    private void Send(List<(AuditRecord Record, TaskCompletionSource Durable)> batch)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                await AppendWithRetries(batch);
                List<(AuditRecord, TaskCompletionSource)>? next = null;
                lock (_lock)
                {
                    _inFlight--;
                    if (_waiting.Count > 0)
                    {
                        next = TakeWaiting();
                    }
                }

                if (next is not null)
                {
                    Send(next);
                }
            });
        }
    }

    private async Task AppendWithRetries(List<(AuditRecord Record, TaskCompletionSource Durable)> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.Reference<IAuditLogGrain>(IAuditLogGrain.Key).Append([.. batch.Select(b => b.Record)]);
                batch.ForEach(b => b.Durable.TrySetResult());
                return;
            }
            catch (Exception e) when (e is not CoordinationException && attempt < GrainTuning.AuditAttempts)
            {
                await Task.Delay(GrainTuning.AuditRetryStep * attempt);
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Durable.TrySetException(e));
                return;
            }
        }
    }
}
