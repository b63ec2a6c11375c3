using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>An observation grain's stored state (see <see cref="ObservationGrain"/>).</summary>
[GenerateSerializer, Alias("coordination.StoredObservation")]
public sealed class StoredObservation
{
    /// <summary>The report as checked, without its photos' bytes (each is in its own grain); null until reported. Its text is emptied when erased.</summary>
    [Id(0)] public ReportObservation? Report { get; set; }

    /// <summary>A hash of the report as the company sent it (photos included), so a retry is told from a different report under the same id.</summary>
    [Id(1)] public string CommandHash { get; set; } = "";

    [Id(2)] public DateTimeOffset ReportedAt { get; set; }

    [Id(3)] public string District { get; set; } = "";

    [Id(4)] public ObservationRouting RoutedBy { get; set; }

    [Id(5)] public ObservationStage Stage { get; set; } = ObservationStage.New;

    [Id(6)] public List<TriageStep> Steps { get; set; } = [];

    [Id(7)] public PhotoInfo[] Photos { get; set; } = [];

    /// <summary>The incident it names or was attached to.</summary>
    [Id(8)] public string? IncidentId { get; set; }

    /// <summary>Intent: the incident's timeline does not have it yet (and, with <see cref="OpenIncident"/>, the incident may not exist yet).</summary>
    [Id(9)] public bool IncidentPending { get; set; }

    [Id(10)] public IncidentFromObservation? OpenIncident { get; set; }

    [Id(11)] public string? AttachedBy { get; set; }

    /// <summary>Grows with every change; the queue and the company's feed record each version once.</summary>
    [Id(12)] public long Version { get; set; }

    /// <summary>
    /// The versions the district's queue and the company's feed have recorded, as last written. Kept
    /// current in memory and written with the next change, not on their own: a version told again after
    /// a restart is recorded once by the feed, so a stale number costs a call, never a duplicate.
    /// </summary>
    [Id(13)] public long QueueTold { get; set; }

    [Id(14)] public long CompanyTold { get; set; }

    [Id(15)] public DateTimeOffset? TextErasedAt { get; set; }

    /// <summary>SHA-256 of the free text as reported: what stays (here and in the audit log) once the text is erased.</summary>
    [Id(16)] public string ContentSha256 { get; set; } = "";

    /// <summary>Intent: the text is erased here, the photos' bytes not yet.</summary>
    [Id(17)] public bool PhotosErasePending { get; set; }
}
