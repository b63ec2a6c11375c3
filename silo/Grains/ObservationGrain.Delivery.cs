using Coordination.Domain;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Grains;

/// <summary>
/// What an observation owes and when: its company's feed and its district's queue each record every
/// version once, its incident's timeline gets it (the incident opened first, when it is opened from
/// it), and its text and photos are erased when their retention ends. Every step is idempotent, so a
/// retry, the timer and a wake-up after a crash all run the same <see cref="Finish"/>.
/// </summary>
internal sealed partial class ObservationGrain
{
    private static readonly TimeSpan RetryDelay = GrainTuning.ObservationRetryDelay;
    private static readonly TimeSpan Horizon = GrainTuning.ObservationTimerHorizon;

    private FinishTimer? _timer;

    private FinishTimer Timer => _timer ??= new(this, Finish, logger, $"Observation {ObservationId}");

    // Whether the queue was last told this observation owes something, as this activation told it (unknown at first).
    private bool? _queueOwes;

    private DateTimeOffset EraseAt => S.ReportedAt + options.Value.RetainTextFor;

    private bool Owes => S.CompanyTold < S.Version || S.QueueTold < S.Version || S.IncidentPending || S.PhotosErasePending;

    public Task Wake(string queue)
    {
        // Interleaved and quick: the queue awaits this while it may be what a command here waits on.
        _wokenBy = queue;
        Timer.Now();
        return Task.CompletedTask;
    }

    // The queue that last woke this activation: the one to leave if the observation was never stored.
    private string? _wokenBy;

    /// <summary>
    /// Expected by a queue and never stored (its write failed, or the silo died first): photos already
    /// stored are personal data with nothing pointing at them, so they go, and the queue stops waking it.
    /// A later retry of the same report is expected again.
    /// </summary>
    private async Task Abandon(string queue)
    {
        await Task.WhenAll(Enumerable.Range(0, ObservationRules.MaxPhotos).Select(i => PhotoGrain(i).Erase()));
        await Queue(queue).Forget(ObservationId);
        _wokenBy = null;
    }

    /// <summary>Does whatever is due or owed, then arms the timer for what comes next.</summary>
    private async Task Finish()
    {
        if (S.Report is null)
        {
            if (_wokenBy is { } queue && !_reporting)
            {
                await Abandon(queue);
            }

            return;
        }

        try
        {
            if (_wokenBy is { } other && other != S.District)
            {
                // Expected by another queue by an earlier attempt routed elsewhere: that queue stops waking it.
                await Queue(other).Forget(ObservationId);
                _wokenBy = null;
            }

            await Erase();
            try
            {
                if (S.IncidentPending)
                {
                    await LinkIncident();
                }
            }
            finally
            {
                // The queue and the company hear of what is stored whatever became of the incident.
                await Deliver();
            }

            // Last: while it is listed there, its day's sweep wakes it again.
            await LeaveDay();
        }
        finally
        {
            ArmNext();
        }
    }

    /// <summary>
    /// When its retention ends: the text and messages go in one write (with the intent to erase the
    /// photos), then every photo slot's bytes (also those of an earlier attempt that was never stored);
    /// once that is delivered it leaves its day's erasure list.
    /// </summary>
    private async Task Erase()
    {
        if (Now >= EraseAt && S.TextErasedAt is null)
        {
            S.Report = S.Report! with { Text = "" };
            S.Steps = [.. S.Steps.Select(s => s with { Message = null })];
            S.TextErasedAt = Now;
            S.PhotosErasePending = true;
            S.Version++;
            await state.WriteStateAsync();
        }

        if (S.PhotosErasePending)
        {
            await Task.WhenAll(Enumerable.Range(0, ObservationRules.MaxPhotos).Select(i => PhotoGrain(i).Erase()));
            S.PhotosErasePending = false;
            await state.WriteStateAsync();
        }
    }

    private async Task LeaveDay()
    {
        if (S.TextErasedAt is not null && !_leftDay)
        {
            await GrainFactory.Reference<IObservationDayGrain>(ObservationDayGrain.Key(S.District, DateOnly.FromDateTime(S.ReportedAt.UtcDateTime))).Erased(ObservationId);
            _leftDay = true;
        }
    }

    // Whether this activation has taken it off its day's erasure list (repeating it is harmless, so it is not stored).
    private bool _leftDay;

    /// <summary>
    /// Onto its incident's timeline, opening the incident first when it is opened from the observation
    /// (both idempotent). An incident that closed meanwhile, or a request id already used for another
    /// incident, refuses it for good: the link is dropped, and the call that asked for it hears why.
    /// </summary>
    private async Task LinkIncident()
    {
        var incident = GrainFactory.Reference<IIncidentGrain>(S.IncidentId!);
        try
        {
            if (S.OpenIncident is { } open)
            {
                await incident.Open(new OpenIncident(open.RequestId, S.District, open.Title, S.Report!.Position!.Value, open.Priority, Exercise: false, S.AttachedBy ?? "system"));
            }

            await incident.AttachObservation(ObservationId, S.Report!.Category, S.AttachedBy ?? S.Report.Actor);
            S.IncidentPending = false;
        }
        catch (CoordinationException e) when (e.Code is ErrorKind.FailedPrecondition or ErrorKind.NotFound or ErrorKind.AlreadyExists)
        {
            LogIncidentRefused(e, ObservationId, S.IncidentId!);
            _incidentRefusal = new CoordinationException(ErrorKind.FailedPrecondition, $"incident {S.IncidentId} refused the observation: {e.Message}", "incident_id");
            S.IncidentId = null;
            S.IncidentPending = false;
            S.OpenIncident = null;
            S.Version++;
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// The company's feed first, then the queue, which is told last so it can stop waking the observation
    /// once nothing is owed. A failed delivery stays owed for the timer (and the queue keeps it listed).
    /// </summary>
    private async Task Deliver()
    {
        var view = View();
        var line = view.Line;
        if (S.CompanyTold < S.Version)
        {
            try
            {
                await GrainFactory.Reference<ICompanyObservationsGrain>(view.CompanyId).Record(line, view);
                S.CompanyTold = S.Version;
            }
            catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
            {
                LogDeliveryFailed(e, ObservationId, "its company's feed");
            }
        }

        var owes = S.CompanyTold < S.Version || S.IncidentPending || S.PhotosErasePending;
        if (S.QueueTold < S.Version || _queueOwes != owes)
        {
            try
            {
                await Queue(S.District).Record(line, view, owes);
                S.QueueTold = S.Version;
                _queueOwes = owes;
            }
            catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
            {
                // Stored, so the answer stands; the queue still lists it as expected, and the timer tries again.
                LogDeliveryFailed(e, ObservationId, "its district's queue");
            }
        }
    }

    private void ArmNext()
    {
        if (S.Report is null)
        {
            return;
        }

        var now = Now;
        // Nothing soon: the activation may go; its day's sweep wakes it when its erasure is due.
        Timer.At(Owes ? now + RetryDelay : S.TextErasedAt is null ? EraseAt : null, now, Horizon);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observation {Observation} could not reach {Target}; it tries again")]
    private partial void LogDeliveryFailed(Exception exception, string observation, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observation {Observation} was not put on incident {Incident}, which refused it")]
    private partial void LogIncidentRefused(Exception exception, string observation, string incident);
}
