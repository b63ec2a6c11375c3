namespace Coordination.Domain;

/// <summary>
/// An incident (key: <see cref="IncidentIds.Of"/>). Owns its capacity requests, the offers made for
/// them and the assignments of committed units: "a request never receives more than it asked for"
/// lives here. Every command is idempotent: a retry with the same ids returns the first result.
/// </summary>
[Alias("coordination.IIncidentGrain")]
public interface IIncidentGrain : IGrainWithStringKey, IDashboardSource
{
    [Alias("Open")]
    Task<IncidentView> Open(OpenIncident command);

    [Alias("RequestCapacity")]
    Task<RequestView> RequestCapacity(RequestCapacity command);

    [Alias("Get")]
    Task<IncidentView> Get();

    [Alias("CancelRequest")]
    Task<RequestView> CancelRequest(string requestId, string actor, string? reason);

    /// <summary>Moves the end of a request's time window (and of its assignments) to <paramref name="until"/>.</summary>
    [Alias("Extend")]
    Task<RequestView> Extend(string requestId, DateTimeOffset until, string actor);

    /// <summary>Releases the named units (company/unit keys), or every unit when none are named.</summary>
    [Alias("Release")]
    Task<IncidentView> Release(string[] unitKeys, string actor, string? reason);

    [Alias("Close")]
    Task<IncidentView> Close(string actor, string? reason);

    [Alias("AnswerOffer")]
    Task<OfferView> AnswerOffer(string offerId, OfferAnswer answer);

    [Alias("ReportProgress")]
    Task<AssignmentView> ReportProgress(string companyId, string unitId, AssignmentProgress progress);

    /// <summary>
    /// A real incident needs a unit this exercise holds: the exercise releases it (and says so on its
    /// timeline). Only exercises that did not ask for live capacity are asked; a unit no longer held is a no-op.
    /// </summary>
    [Alias("Yield")]
    Task Yield(string unitKey, string toIncident);

    /// <summary>
    /// Puts a guard's observation on the timeline (once: the same observation again changes nothing).
    /// Refused (FAILED_PRECONDITION) once the incident is closed.
    /// </summary>
    [Alias("AttachObservation")]
    Task AttachObservation(string observationId, string category, string actor);

    /// <summary>
    /// A unit asks whether the incident holds its commitment (the unit's key and the offer it was
    /// committed under). The incident lets go of one it does not hold: the command that made it stopped
    /// before its outcome was stored, and was never acknowledged.
    /// </summary>
    [Alias("ConfirmCommitment")]
    Task ConfirmCommitment(string unitKey, string commitmentId);

    /// <summary>Activates the incident so its offer deadlines run again after a restart.</summary>
    [Alias("Wake"), OneWay]
    Task Wake();
}

/// <summary>A sealed page of an incident's timeline (key: <c>incident/page</c>), so the incident's own state stays small.</summary>
[Alias("coordination.ITimelinePageGrain")]
public interface ITimelinePageGrain : IGrainWithStringKey
{
    [Alias("Write")]
    Task Write(IReadOnlyList<TimelineEvent> events);

    [Alias("Read"), ReadOnly]
    Task<IReadOnlyList<TimelineEvent>> Read();
}

/// <summary>Receives a company's offers as they are made and closed (a gateway's stream, one per watcher).</summary>
[Alias("coordination.IOfferObserver")]
public interface IOfferObserver : IGrainObserver
{
    [Alias("OnOffer"), OneWay]
    Task OnOffer(OfferNotice notice);
}
