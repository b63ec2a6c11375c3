namespace Coordination.Domain;

/// <summary>
/// One line of an operations-centre board: an open incident and how far its requests are filled,
/// in guards. The incident sends it to its district whenever it changes; dashboards show it without
/// asking the incident itself.
/// </summary>
/// <param name="Revision">The incident's timeline sequence when this was taken: a newer summary never loses to an older one arriving late.</param>
/// <param name="RequestedGuards">Guards asked for by requests still drawing on capacity (not cancelled, not completed).</param>
/// <param name="SoughtGuards">Guards still being sought: offered and not yet answered, or not yet offered.</param>
/// <param name="UnfilledGuards">Guards that requests gave up on (unable to fill, or filled only in part).</param>
[GenerateSerializer, Immutable, Alias("coordination.IncidentSummary")]
public sealed record IncidentSummary(
    [property: Id(0)] string IncidentId,
    [property: Id(1)] string District,
    [property: Id(2)] string Title,
    [property: Id(3)] Priority Priority,
    [property: Id(4)] bool Exercise,
    [property: Id(5)] IncidentStatus Status,
    [property: Id(6)] DateTimeOffset OpenedAt,
    [property: Id(7)] GeoPoint Location,
    [property: Id(8)] long Revision,
    [property: Id(9)] int Requests,
    [property: Id(10)] int RequestedGuards,
    [property: Id(11)] int SoughtGuards,
    [property: Id(12)] int CommittedGuards,
    [property: Id(13)] int EnRouteGuards,
    [property: Id(14)] int OnSceneGuards,
    [property: Id(15)] int UnfilledGuards)
{
    /// <summary>
    /// The order a board lists incidents in: most urgent first, then the oldest (then by id, so the
    /// order is total). Sorted in place with one comparison: every district sorts its board for each
    /// picture it announces, and ordering by three keys in turn allocated an array per key each time
    /// (a visible share of a capacity request's allocations, BENCHMARKS.md).
    /// </summary>
    public static IReadOnlyList<IncidentSummary> BoardOrder(IEnumerable<IncidentSummary> incidents)
    {
        var lines = incidents.ToList();
        lines.Sort(static (a, b) =>
            a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority)
            : a.OpenedAt != b.OpenedAt ? a.OpenedAt.CompareTo(b.OpenedAt)
            : string.CompareOrdinal(a.IncidentId, b.IncidentId));
        return lines;
    }
}

/// <summary>
/// What a district tells the national view (its figures, open incidents and outstanding bulletins),
/// and what its own dashboards show, which adds the open observations routed to it: those never
/// leave the district's picture for the national view.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.DistrictSituation")]
public sealed record DistrictSituation(
    [property: Id(0)] CapacityFigures Figures,
    [property: Id(1)] IReadOnlyList<IncidentSummary> Incidents,
    [property: Id(2)] IReadOnlyList<BulletinSummary>? Bulletins = null,
    [property: Id(3)] IReadOnlyList<ObservationLine>? Observations = null)
{
    /// <summary>Nothing a dashboard would show differently (the time the figures were taken aside).</summary>
    public bool Shows(DistrictSituation other) =>
        Figures.SameCountsAs(other.Figures) && Incidents.SequenceEqual(other.Incidents) && (Bulletins ?? []).SequenceEqual(other.Bulletins ?? [])
        && (Observations ?? []).SequenceEqual(other.Observations ?? []);
}
