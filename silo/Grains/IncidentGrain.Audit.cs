using Coordination.Domain;
using Coordination.Silo.Audit;

namespace Coordination.Silo.Grains;

/// <summary>
/// The start records of the commands this incident runs. The gateway does not write them itself for
/// incident commands (it would cost each command a durable append before it even starts): it hands
/// the record over (<see cref="CallerContext.DeferredStartKey"/>), and the incident puts it into its
/// own state in the write that makes the command's first change, while appending it to the chain at
/// the same time. So no change is durable without its start record (in the chain, or in the outbox
/// beside the change), and the append overlaps the command's own work instead of preceding it. A command that
/// changes nothing leaves no start record; its outcome record is still written by the gateway.
/// A record whose append failed stays in the outbox and is appended later by the incident's timer,
/// after a look at the chain, so a record that did land (its answer lost) is not appended twice.
/// <para>
/// A commitment changes a unit before the incident writes anything (the unit's commitment is the
/// command's intent: see <c>.Commitment</c>), so there the record cannot ride in the incident's write:
/// it is appended ahead, and the units are asked only once it is durable. For a new request the
/// append begins at once and overlaps the district's and company's answers.
/// </para>
/// </summary>
internal sealed partial class IncidentGrain : IIncomingGrainCallFilter
{
    // The append of this command's start record, begun beside its first write.
    private Task? _startAppended;

    /// <summary>
    /// Every call to this incident: a command answers only once its start record's append has ended,
    /// so the record is in the chain before the gateway writes the outcome (the order an auditor reads),
    /// while the append itself overlaps the command's own work (units committing, the next write). A
    /// failed append does not hold the answer: the record is durable in the outbox with the change.
    /// </summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        _callsRunning++;
        try
        {
            await context.Invoke();
        }
        finally
        {
            // The district hears of the command's changes once, as they stand when it ends (see Save);
            // not from an activation whose memory may be ahead of storage (a write failed).
            if (--_callsRunning == 0 && _districtBehind && !_unsaved && !Persistence.InStepGrainStorage.IsFaulted(GrainContext))
            {
                _districtBehind = false;
                TellDistrict();
            }

            if (_startAppended is { } appended)
            {
                _startAppended = null;
                await appended;
            }

            await StartAheadEnded();
        }
    }

    // The append of this command's start record begun ahead of its first change (see BeginStartAhead).
    private Task? _startAhead;

    /// <summary>Begins appending the command's start record now, when its first change will be a unit's (or is certain).</summary>
    private void BeginStartAhead()
    {
        if (_start is { } start)
        {
            _start = null;
            _startAhead = startRecords.Append(start, "this command");
        }
    }

    /// <summary>
    /// Returns once the start record begun ahead is durable. If it cannot be stored, nothing was changed
    /// yet but memory may hold the command's first steps: the activation goes (reloaded on the next call).
    /// </summary>
    private async Task StartAheadDurable()
    {
        if (_startAhead is not { } ahead)
        {
            return;
        }

        _startAhead = null;
        try
        {
            await ahead;
        }
        catch (Exception)
        {
            Persistence.InStepGrainStorage.Abandon(GrainContext, "a command's start record could not be stored; its steps in memory are dropped");
            throw;
        }
    }

    /// <summary>A command that ended before its first change still waits for the append it began (and drops its memory if that failed).</summary>
    private async Task StartAheadEnded()
    {
        try
        {
            await StartAheadDurable();
        }
        catch (Exception)
        {
            // The command's own outcome stands; this activation is already on its way out.
        }
    }

    private AuditRecord? _start;

    // Start records whose append is on its way; the timer leaves them to it.
    private readonly HashSet<AuditRecord> _appending = [];

    /// <summary>At the start of every command: the record the gateway left for this call, if any.</summary>
    private void TakeStart()
    {
        _start = RequestContext.Get(CallerContext.DeferredStartKey) as AuditRecord;
        if (_start is not null)
        {
            // Calls this incident makes to units and the district must not carry it on.
            RequestContext.Remove(CallerContext.DeferredStartKey);
        }
    }

    /// <summary>
    /// Called just before a write: the pending start record goes into the state being written. Returns
    /// the record to append beside the write, or null.
    /// </summary>
    private AuditRecord? StartForWrite()
    {
        if (_start is not { } start)
        {
            return null;
        }

        _start = null;
        S.AuditOutbox.Add(start);
        return start;
    }

    /// <summary>Appends a start record beside the write that holds it; on failure it waits in the outbox for the timer.</summary>
    private async Task AppendStart(AuditRecord start)
    {
        _appending.Add(start);
        try
        {
            await AuditLog.Append([start]);
            S.AuditOutbox.Remove(start);
        }
        catch (Exception)
        {
            ArmTimer(RetryDelay);
        }
        finally
        {
            _appending.Remove(start);
        }
    }

    /// <summary>
    /// Appends what a failed append or an earlier activation left in the outbox, skipping records the
    /// chain already holds (an append can land and its answer be lost), and stores the empty outbox.
    /// </summary>
    private async Task DrainAuditOutbox()
    {
        if (S.AuditOutbox.Count == 0)
        {
            return;
        }

        var leftovers = S.AuditOutbox.Where(r => !_appending.Contains(r)).ToList();
        if (leftovers.Count == 0)
        {
            return;
        }

        try
        {
            // Looked up by time, and by this incident only when every record names it: a unit's progress
            // on its assignment is recorded without an incident id, and a lookup by incident would miss
            // its landed append and write it twice. Each record is in the chain with its own time.
            var since = leftovers.Min(r => r.At) - TimeSpan.FromMinutes(1);
            var until = leftovers.Max(r => r.At) + TimeSpan.FromMinutes(1);
            var byIncident = leftovers.All(r => r.IncidentId == IncidentId) ? IncidentId : null;
            var inChain = new HashSet<string>(StringComparer.Ordinal);
            for (long after = 0; ;)
            {
                var page = await AuditLog.Read(byIncident, since, until, after, 1_000);
                inChain.UnionWith(page.Where(e => e.Call is not null).Select(e => e.Call!));
                if (page.Count < 1_000)
                {
                    break;
                }

                after = page[^1].Sequence;
            }

            var missing = leftovers.Where(r => r.Call is null || !inChain.Contains(r.Call)).ToList();
            if (missing.Count > 0)
            {
                await AuditLog.Append(missing);
            }

            S.AuditOutbox.RemoveAll(leftovers.Contains);

            // Stored now (a rare path), so a closed incident does not look again at every activation.
            await state.WriteStateAsync();
        }
        catch (Exception)
        {
            ArmTimer(RetryDelay);
        }
    }

    private IAuditLogGrain AuditLog => GrainFactory.Reference<IAuditLogGrain>(IAuditLogGrain.Key);
}
