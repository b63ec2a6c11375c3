namespace Coordination.Domain;

public enum Priority
{
    Urgent = 1,
    High = 2,
    Routine = 3,
}

public enum IncidentStatus
{
    Open = 1,
    Closed = 2,
}

/// <summary>Where a capacity request stands (EDXL-RM: request → offers → commit, or unable to fill).</summary>
public enum RequestStatus
{
    /// <summary>Offers are out or being made.</summary>
    Seeking = 1,
    Filled = 2,

    /// <summary>Some guards committed, no more to be found; the rest is unable to fill.</summary>
    PartiallyFilled = 3,
    UnableToFill = 4,
    Cancelled = 5,

    /// <summary>Every unit it had has been released.</summary>
    Completed = 6,
}

public enum OfferStatus
{
    Pending = 1,
    Committed = 2,
    Declined = 3,
    Expired = 4,
    Withdrawn = 5,
}

public enum AssignmentStatus
{
    Committed = 1,
    EnRoute = 2,
    OnScene = 3,
    Released = 4,
}

public enum TimelineKind
{
    Opened = 1,
    Requested = 2,
    Offered = 3,
    Committed = 4,
    Declined = 5,
    Expired = 6,
    EnRoute = 7,
    OnScene = 8,
    Extended = 9,
    Released = 10,
    Cancelled = 11,
    Closed = 12,
    UnableToFill = 13,
    Withdrawn = 14,
    Filled = 15,

    /// <summary>A guard's observation was attached (its id; the text stays with the observation, which erases it).</summary>
    Observation = 16,
}

/// <summary>One step in an incident's life: what happened, when, who did it and why.</summary>
[GenerateSerializer, Immutable, Alias("coordination.TimelineEvent")]
public sealed record TimelineEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] TimelineKind Kind,
    [property: Id(3)] string Actor,
    [property: Id(4)] string? Reason,
    [property: Id(5)] string? RequestId,
    [property: Id(6)] string? OfferId,
    [property: Id(7)] string? CompanyId,
    [property: Id(8)] string[] Units,
    [property: Id(9)] int Guards,
    [property: Id(10)] string? ObservationId = null);

[GenerateSerializer, Immutable, Alias("coordination.OpenIncident")]
public sealed record OpenIncident(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string District,
    [property: Id(2)] string Title,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] Priority Priority,
    [property: Id(5)] bool Exercise,
    [property: Id(6)] string Actor,
    [property: Id(7)] bool UsesLiveCapacity = false)
{
    /// <summary>An exercise that did not ask for live capacity gives its units up to any real incident that needs them.</summary>
    public bool Yielding => Exercise && !UsesLiveCapacity;
}

[GenerateSerializer, Immutable, Alias("coordination.RequestCapacity")]
public sealed record RequestCapacity(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Capability,
    [property: Id(2)] int Guards,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] DateTimeOffset Start,
    [property: Id(5)] TimeSpan Duration,
    [property: Id(6)] bool AllowPartial,
    [property: Id(7)] bool AllowNeighbours,
    [property: Id(8)] string Actor);

[GenerateSerializer, Immutable, Alias("coordination.AssignmentView")]
public sealed record AssignmentView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Guards,
    [property: Id(3)] AssignmentStatus Status,
    [property: Id(4)] string RequestId,
    [property: Id(5)] string OfferId,
    [property: Id(6)] DateTimeOffset CommittedAt,
    [property: Id(7)] DateTimeOffset Until);

[GenerateSerializer, Immutable, Alias("coordination.OfferView")]
public sealed record OfferView(
    [property: Id(0)] string OfferId,
    [property: Id(1)] string RequestId,
    [property: Id(2)] string CompanyId,
    [property: Id(3)] int Guards,
    [property: Id(4)] string[] SuggestedUnits,
    [property: Id(5)] OfferStatus Status,
    [property: Id(6)] DateTimeOffset Deadline,
    [property: Id(7)] int CommittedGuards,
    [property: Id(8)] string? Reason,
    [property: Id(9)] bool Automatic,
    [property: Id(10)] int ReleasedGuards = 0);

[GenerateSerializer, Immutable, Alias("coordination.RequestView")]
public sealed record RequestView(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Capability,
    [property: Id(2)] int Guards,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] DateTimeOffset Start,
    [property: Id(5)] DateTimeOffset End,
    [property: Id(6)] bool AllowPartial,
    [property: Id(7)] bool AllowNeighbours,
    [property: Id(8)] RequestStatus Status,
    [property: Id(9)] int CommittedGuards,
    [property: Id(10)] int OfferedGuards,
    [property: Id(11)] IReadOnlyList<OfferView> Offers,
    [property: Id(12)] IReadOnlyList<AssignmentView> Assignments,
    [property: Id(13)] int ReleasedGuards = 0);

[GenerateSerializer, Immutable, Alias("coordination.IncidentView")]
public sealed record IncidentView(
    [property: Id(0)] string IncidentId,
    [property: Id(1)] string District,
    [property: Id(2)] string Title,
    [property: Id(3)] GeoPoint Location,
    [property: Id(4)] Priority Priority,
    [property: Id(5)] bool Exercise,
    [property: Id(6)] IncidentStatus Status,
    [property: Id(7)] DateTimeOffset OpenedAt,
    [property: Id(8)] DateTimeOffset? ClosedAt,
    [property: Id(9)] IReadOnlyList<RequestView> Requests,
    [property: Id(10)] IReadOnlyList<TimelineEvent> Timeline,
    [property: Id(11)] bool UsesLiveCapacity = false);

/// <summary>
/// What a company is told about an offer: the task, the place, the time window, the quantity. Never
/// the incident's title or other police-internal detail.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.OfferNotice")]
public sealed record OfferNotice(
    [property: Id(0)] string OfferId,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string District,
    [property: Id(3)] string Capability,
    [property: Id(4)] int Guards,
    [property: Id(5)] GeoPoint Location,
    [property: Id(6)] DateTimeOffset Start,
    [property: Id(7)] DateTimeOffset End,
    [property: Id(8)] Priority Priority,
    [property: Id(9)] bool Exercise,
    [property: Id(10)] DateTimeOffset Deadline,
    [property: Id(11)] string[] SuggestedUnits,
    [property: Id(12)] OfferStatus Status);

/// <summary>A company's answer to an offer: named units to commit, or a decline with a reason.</summary>
[GenerateSerializer, Immutable, Alias("coordination.OfferAnswer")]
public sealed record OfferAnswer(
    [property: Id(0)] string AnswerId,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string[] CommitUnits,
    [property: Id(3)] string? DeclineReason);

/// <summary>A unit available for matching, as its district last heard of it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.Candidate")]
public sealed record Candidate(
    [property: Id(0)] string UnitKey,
    [property: Id(1)] int Headcount,
    [property: Id(2)] double DistanceKm,
    [property: Id(3)] bool OnYieldingExercise = false);

public enum AssignmentProgress
{
    EnRoute = 1,
    OnScene = 2,
    Returned = 3,
}

public static class IncidentIds
{
    /// <summary>Incidents are keyed by district and the opener's request id, so a retried open finds the first one.</summary>
    public static string Of(string district, string requestId) => $"{district}.{requestId}";

    public static string District(string incidentId) => incidentId[..incidentId.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>Offer ids name their incident, so an answer goes straight to it and never through the company.</summary>
    public static string Offer(string incidentId, int sequence) => $"{incidentId}~{sequence}";

    public static string? IncidentOfOffer(string offerId)
    {
        var tilde = offerId.LastIndexOf('~');
        return tilde > 0 ? offerId[..tilde] : null;
    }
}

public static class Geo
{
    /// <summary>Great-circle distance in kilometres (haversine).</summary>
    public static double DistanceKm(GeoPoint a, GeoPoint b)
    {
        const double EarthRadiusKm = 6371.0;
        var dLat = Radians(b.Latitude - a.Latitude);
        var dLon = Radians(b.Longitude - a.Longitude);
        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(dLon / 2);
        var h = (sinLat * sinLat) + (Math.Cos(Radians(a.Latitude)) * Math.Cos(Radians(b.Latitude)) * sinLon * sinLon);
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
