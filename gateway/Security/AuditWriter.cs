using System.Threading.Channels;
using Coordination.Domain;

namespace Coordination.Gateway.Security;

/// <summary>
/// Carries audit records to the audit log grain in batches (group commit): a command's record is
/// on disk before its RPC returns, at the cost of one grain call per batch, not per command. Up to
/// <see cref="MaxInFlight"/> batches are on their way at once.
/// </summary>
internal sealed partial class AuditWriter(IGrainFactory grains, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    // Two: the next batch joins the store's next commit while one is committing; more only splits the
    // same records into more grain calls (measured: four cost capacity throughput).
    private const int MaxInFlight = 2;

    // Below the clients' deadlines (10 s for the project's clients), so a record that cannot be written
    // in time answers UNAVAILABLE, which a client retries, rather than letting the deadline pass. It
    // leaves room for a second append after a response timeout (5 s in a cluster): when the audit grain's
    // silo froze, that one reaches the grain on a live silo if the frozen one was voted out meanwhile.
    private static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(8);

    // Waits of 0.1, 0.2 and 0.3 s between four attempts (see AppendWithRetry).
    private const int RetryAttempts = 4;
    private static readonly TimeSpan RetryStep = TimeSpan.FromMilliseconds(100);

    private readonly Channel<(AuditRecord Record, TaskCompletionSource Written)> _queue =
        Channel.CreateBounded<(AuditRecord, TaskCompletionSource)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    /// <summary>
    /// Waits until the record is durable. When it cannot be written the call must not answer OK:
    /// this throws UNAVAILABLE, and the client's retry with the same id (every command is idempotent
    /// by its id) is answered, and audited, once the log can be written again.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="within">A shorter bound than the writer's own, so the caller hears an answer in time (see CallerInterceptor).</param>
    public async Task WriteAsync(AuditRecord record, TimeSpan? within = null)
    {
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync((record, written));
            await written.Task.WaitAsync(within is { } bound && bound < WaitBound ? (bound > TimeSpan.Zero ? bound : TimeSpan.Zero) : WaitBound);
        }
        catch (Exception e)
        {
            LogNotWritten(e, record.Rpc, record.Subject, record.Outcome);
            if (Hosting.ErrorMapping.Refusal(e) is CoordinationException { Reason: { } reason, Metadata: var metadata } store)
            {
                // Which store, where, and what to do: the operator's answer is in the message, not in a log.
                throw new CoordinationException(ErrorKind.Unavailable, $"the call is not acknowledged because its audit record could not be written: {store.Message}", reason, metadata ?? new Dictionary<string, string>());
            }

            throw new CoordinationException(ErrorKind.Unavailable, "the audit log cannot be written right now, so the call is not acknowledged; retry with the same id");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A batch goes out as soon as records wait, while earlier batches are still being committed:
        // the audit grain chains them in order, and on SQLite each joins the writer's next group commit
        // instead of waiting a whole commit for the batch before it. Bounded, so a slow log holds
        // records back here (in bigger batches) rather than piling calls on the grain.
        using var inFlight = new SemaphoreSlim(MaxInFlight);
        var sending = new List<Task>();
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await inFlight.WaitAsync(CancellationToken.None);
            var batch = new List<(AuditRecord Record, TaskCompletionSource Written)>(MaxBatch);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            sending.RemoveAll(t => t.IsCompleted);
            sending.Add(SendAsync(batch, inFlight));
            if (stoppingToken.IsCancellationRequested && !_queue.Reader.TryPeek(out _))
            {
                break;
            }
        }

        await Task.WhenAll(sending);
    }

    private async Task SendAsync(List<(AuditRecord Record, TaskCompletionSource Written)> batch, SemaphoreSlim inFlight)
    {
        try
        {
            await AppendWithRetry(batch);
        }
        finally
        {
            inFlight.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Whatever was queued is still written: the queue is completed, then drained.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task AppendWithRetry(List<(AuditRecord Record, TaskCompletionSource Written)> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.Reference<IAuditLogGrain>(IAuditLogGrain.Key).Append([.. batch.Select(b => b.Record)]);
                batch.ForEach(b => b.Written.TrySetResult());
                return;
            }
            // A full or read-only store will not heal in the next second: the batch fails at once, so its
            // callers hear UNAVAILABLE quickly and the batches behind it are not held up by the retries.
            // Other failures are retried for a moment only (the audit grain reactivating after a failed
            // append refuses calls briefly): 0.6 s of waits in all, so a store that keeps refusing reaches
            // the caller as UNAVAILABLE within about a second, also through another silo's gateway (five
            // attempts 0.2-0.8 s apart took 2.3 s there).
            catch (Exception e) when (attempt < RetryAttempts && Hosting.ErrorMapping.Refusal(e) is not CoordinationException { Reason: not null })
            {
                LogRetry(e, attempt);
                await Task.Delay(RetryStep * attempt);
            }
            catch (Exception e)
            {
                batch.ForEach(b => b.Written.TrySetException(e));
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit record not written for {Rpc} by {Subject} ({Outcome}); the call answers UNAVAILABLE")]
    private partial void LogNotWritten(Exception exception, string rpc, string subject, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit append failed (attempt {Attempt}); retrying")]
    private partial void LogRetry(Exception exception, int attempt);
}
