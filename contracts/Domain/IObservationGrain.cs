namespace Coordination.Domain;

/// <summary>
/// One guard observation (key: <see cref="ObservationIds.Of"/>): where it was routed, its triage and
/// the feedback owed to its company, its incident, and the erasure of its text and photos. Reporting
/// is idempotent: a retry with the same id returns the first result (and finishes what it started).
/// </summary>
[Alias("coordination.IObservationGrain")]
public interface IObservationGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task<ObservationView> Report(ReportObservation command);

    /// <summary>The observation as the calling gateway's caller may read it (PERMISSION_DENIED otherwise).</summary>
    [Alias("Get")]
    Task<ObservationView> Get();

    [Alias("Triage")]
    Task<ObservationView> Triage(ObservationStage stage, string? message);

    /// <summary>Puts it on an open incident's timeline, or opens one from it (exactly one of the two).</summary>
    [Alias("Attach")]
    Task<ObservationView> Attach(string? incidentId, IncidentFromObservation? open);

    /// <summary>One photo's bytes, for the police of its district.</summary>
    [Alias("Photo")]
    Task<ObservationPhotoBytes> Photo(int index);

    /// <summary>
    /// Woken by its district's queue after a restart: finishes what it owes, or erases its text when due;
    /// one that was never stored leaves <paramref name="queue"/>'s list (and its orphaned photos are erased).
    /// </summary>
    [Alias("Wake"), AlwaysInterleave]
    Task Wake(string queue);
}

/// <summary>One photo of an observation (key: <see cref="ObservationIds.Photo"/>): its bytes in a row of their own, written once and erased once.</summary>
[Alias("coordination.IObservationPhotoGrain")]
public interface IObservationPhotoGrain : IGrainWithStringKey
{
    /// <summary>Stores the bytes; the same bytes again change nothing, other bytes (an attempt whose report was never stored) replace them.</summary>
    [Alias("Store")]
    Task Store(PhotoInfo info, byte[] data);

    [Alias("Read"), ReadOnly]
    Task<ObservationPhotoBytes> Read();

    [Alias("Erase")]
    Task Erase();
}

/// <summary>
/// A police district's observation queue (key: district id): the open observations in queue order,
/// a numbered feed of what arrived and changed, and the list of observations to wake after a restart.
/// </summary>
[Alias("coordination.IObservationQueueGrain")]
public interface IObservationQueueGrain : IGrainWithStringKey
{
    /// <summary>
    /// Lists an observation that is about to change (durable): about to be stored here, or triaged, or
    /// attached, so a crash before the change is delivered still leaves it woken. A report passes the
    /// day it was reported on, whose erasure the queue then sweeps when its retention ends.
    /// </summary>
    [Alias("Expect")]
    Task Expect(string observationId, DateOnly? reportedOn);

    /// <summary>
    /// Records the observation's current line (once per version) and tells the watchers; it is woken
    /// again while it <paramref name="owes"/> something (its company's feed, its incident).
    /// </summary>
    [Alias("Record")]
    Task<long> Record(ObservationLine line, ObservationView view, bool owes);

    /// <summary>
    /// Activates the queue, which wakes what it lists: its district calls this when it activates (at
    /// start, after the capacity warm-up), since reminders do not outlive a single node's process.
    /// </summary>
    [Alias("Resume")]
    Task Resume();

    /// <summary>An observation that was expected but never stored: it is no longer woken.</summary>
    [Alias("Forget")]
    Task Forget(string observationId);

    [Alias("Watch")]
    Task<ObservationFeedStart> Watch(IObservationObserver observer, long afterSequence);

    [Alias("Unwatch")]
    Task Unwatch(IObservationObserver observer);

    /// <summary>Open observations in queue order; with <paramref name="includeClosed"/> the recently closed after them, newest first.</summary>
    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<string>> List(bool includeClosed);
}

/// <summary>
/// The observations a district received on one day (key: <c>district/yyyy-MM-dd</c>, UTC): the erasure
/// schedule, kept out of the queue so the queue's state does not grow with the retention time. Its
/// queue sweeps it when the day's retention has ended; each observation leaves it once erased.
/// </summary>
[Alias("coordination.IObservationDayGrain")]
public interface IObservationDayGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string observationId);

    /// <summary>Those not yet erased.</summary>
    [Alias("Remaining"), ReadOnly]
    Task<IReadOnlyList<string>> Remaining();

    [Alias("Erased")]
    Task Erased(string observationId);
}

/// <summary>A company's observation feedback feed (key: company id): its open observations and a numbered list of changes.</summary>
[Alias("coordination.ICompanyObservationsGrain")]
public interface ICompanyObservationsGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task<long> Record(ObservationLine line, ObservationView view);

    [Alias("Watch")]
    Task<ObservationFeedStart> Watch(IObservationObserver observer, long afterSequence);

    [Alias("Unwatch")]
    Task Unwatch(IObservationObserver observer);
}

[Alias("coordination.IObservationObserver")]
public interface IObservationObserver : IGrainObserver
{
    [Alias("OnObservation"), OneWay]
    Task OnObservation(ObservationNotice notice);
}
