namespace Coordination.Domain;

public enum ObservationStage
{
    New = 1,
    Seen = 2,
    Actioned = 3,
    Dismissed = 4,
}

public enum ObservationRouting
{
    Position = 1,
    Bulletin = 2,
    Incident = 3,
}

/// <summary>A photo as the company sent it (the bytes travel once, to the photo's own grain).</summary>
[GenerateSerializer, Immutable, Alias("coordination.PhotoUpload")]
public sealed record PhotoUpload([property: Id(0)] string ContentType, [property: Id(1)] byte[] Data);

[GenerateSerializer, Immutable, Alias("coordination.PhotoInfo")]
public sealed record PhotoInfo(
    [property: Id(0)] int Index,
    [property: Id(1)] string ContentType,
    [property: Id(2)] long SizeBytes,
    [property: Id(3)] string Sha256);

/// <summary>A report as the company sent it. <see cref="Photos"/> holds the bytes; the grain keeps only their <see cref="PhotoInfo"/>.</summary>
[GenerateSerializer, Immutable, Alias("coordination.ReportObservation")]
public sealed record ReportObservation(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ObservationId,
    [property: Id(2)] string UnitId,
    [property: Id(3)] DateTimeOffset SeenAt,
    [property: Id(4)] GeoPoint? Position,
    [property: Id(5)] string Category,
    [property: Id(6)] string Text,
    [property: Id(7)] bool NeedsPoliceNow,
    [property: Id(8)] string? AnswersBulletinId,
    [property: Id(9)] string? IncidentId,
    [property: Id(10)] PhotoUpload[] Photos,
    [property: Id(11)] string Actor);

/// <summary>One triage step, with the message back to the reporting company (emptied when the text is erased).</summary>
[GenerateSerializer, Immutable, Alias("coordination.TriageStep")]
public sealed record TriageStep(
    [property: Id(0)] ObservationStage Stage,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Actor,
    [property: Id(3)] string? Message);

/// <summary>Opening an incident from an observation: the incident is <c>district.request-id</c>, at the observation's position.</summary>
[GenerateSerializer, Immutable, Alias("coordination.IncidentFromObservation")]
public sealed record IncidentFromObservation(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Title,
    [property: Id(2)] Priority Priority,
    [property: Id(3)] string District);

[GenerateSerializer, Immutable, Alias("coordination.ObservationView")]
public sealed record ObservationView(
    [property: Id(0)] string Id,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string UnitId,
    [property: Id(3)] DateTimeOffset SeenAt,
    [property: Id(4)] DateTimeOffset ReportedAt,
    [property: Id(5)] GeoPoint Position,
    [property: Id(6)] string Category,
    [property: Id(7)] string Text,
    [property: Id(8)] bool NeedsPoliceNow,
    [property: Id(9)] string? AnswersBulletinId,
    [property: Id(10)] string? IncidentId,
    [property: Id(11)] string District,
    [property: Id(12)] ObservationRouting RoutedBy,
    [property: Id(13)] ObservationStage Stage,
    [property: Id(14)] IReadOnlyList<TriageStep> Steps,
    [property: Id(15)] IReadOnlyList<PhotoInfo> Photos,
    [property: Id(16)] DateTimeOffset? TextErasedAt,
    [property: Id(17)] string ContentSha256,
    [property: Id(18)] long Version,
    [property: Id(19)] string ReportedBy)
{
    /// <summary>
    /// The police of the district it was routed to (national police included) and the company that
    /// reported it. Other districts, other companies and dashboards do not read observations: they
    /// carry what guards saw of people, often before anyone knows whether it matters.
    /// </summary>
    public bool ReadableBy(Caller caller) => caller.Role switch
    {
        CallerRole.Police => caller.Covers(District),
        CallerRole.Company => caller.CompanyId == CompanyId,
        _ => false,
    };

    /// <summary>Photos are for the police who act on it; the company that sent them has them already.</summary>
    public bool PhotosReadableBy(Caller caller) => caller.Role == CallerRole.Police && caller.Covers(District);

    public ObservationLine Line => new(Id, Version, Stage, NeedsPoliceNow, ReportedAt, SeenAt, Category, Position, CompanyId, District, IncidentId, TextErasedAt is not null);
}

/// <summary>
/// An observation as a queue and a company's feed hold it: enough to order the queue and draw it on a
/// map (category, position, age), no free text, so erasing the text touches the observation alone.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.ObservationLine")]
public sealed record ObservationLine(
    [property: Id(0)] string Id,
    [property: Id(1)] long Version,
    [property: Id(2)] ObservationStage Stage,
    [property: Id(3)] bool NeedsPoliceNow,
    [property: Id(4)] DateTimeOffset ReportedAt,
    [property: Id(5)] DateTimeOffset SeenAt,
    [property: Id(6)] string Category,
    [property: Id(7)] GeoPoint Position,
    [property: Id(8)] string CompanyId,
    [property: Id(9)] string District,
    [property: Id(10)] string? IncidentId,
    [property: Id(11)] bool TextErased)
{
    public bool Open => ObservationRules.IsOpen(Stage);

    /// <summary>
    /// Whether a dashboard of <paramref name="caller"/> shows the line (category, position, age,
    /// stage; never text, company or unit): police covering the district it was routed to (national
    /// police too), and wall screens of that district. Only the district's own stream carries it,
    /// never the national one, and a national wall screen does not see it on a district's stream either.
    /// </summary>
    public bool ShownTo(Caller caller) => caller.Role switch
    {
        CallerRole.Police => caller.Covers(District),
        CallerRole.Viewer => caller.Districts.Contains(District, StringComparer.Ordinal),
        _ => false,
    };

    /// <summary>
    /// Whether the shown line carries the observation's id: the id names the reporting company, so
    /// only for those who may read the observation itself (<see cref="ObservationView.ReadableBy"/>).
    /// </summary>
    public bool IdShownTo(Caller caller) => caller.Role == CallerRole.Police && caller.Covers(District);
}

public enum ObservationEventKind
{
    Open = 1,
    Reported = 2,
    Changed = 3,
}

[GenerateSerializer, Immutable, Alias("coordination.ObservationFeedEvent")]
public sealed record ObservationFeedEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] ObservationEventKind Kind,
    [property: Id(2)] string ObservationId,
    [property: Id(3)] long Version);

/// <summary>What a watcher is sent first: the events after its sequence, or every open observation again (<see cref="Restarted"/>).</summary>
[GenerateSerializer, Immutable, Alias("coordination.ObservationFeedStart")]
public sealed record ObservationFeedStart(
    [property: Id(0)] IReadOnlyList<ObservationFeedEvent> Events,
    [property: Id(1)] bool Restarted);

/// <summary>A live event with the observation as its recipient may see it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.ObservationNotice")]
public sealed record ObservationNotice(
    [property: Id(0)] ObservationFeedEvent Event,
    [property: Id(1)] ObservationView Observation);

/// <summary>One photo's bytes as read back.</summary>
[GenerateSerializer, Immutable, Alias("coordination.ObservationPhotoBytes")]
public sealed record ObservationPhotoBytes(
    [property: Id(0)] PhotoInfo Info,
    [property: Id(1)] byte[] Data);

public static class ObservationIds
{
    /// <summary>
    /// Observations are keyed by the reporting company and its own id, so a retried report finds the
    /// first one. '/' separates them: company ids may hold '.', never '/'.
    /// </summary>
    public static string Of(string companyId, string observationId) => $"{companyId}/{observationId}";

    public static string Company(string id) => id[..id.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>A photo's grain: the observation's key and the photo's index.</summary>
    public static string Photo(string id, int index) => $"{id}#{index}";
}
