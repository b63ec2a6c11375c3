namespace Coordination.Domain;

/// <summary>
/// What a dashboard topic shows, with the version that names it: a new version whenever it changes,
/// and after a restart. Capacity topics (a district, the country) carry figures and the open
/// incidents and outstanding bulletins on their board, the country each district's figures too, a
/// district the open observations routed to it; an incident topic carries the incident.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.DashboardUpdate")]
public sealed record DashboardUpdate(
    [property: Id(0)] string Version,
    [property: Id(1)] CapacityFigures? Figures,
    [property: Id(2)] IncidentView? Incident = null,
    [property: Id(3)] IReadOnlyList<IncidentSummary>? Incidents = null,
    [property: Id(4)] IReadOnlyList<CapacityFigures>? Districts = null,
    [property: Id(5)] IReadOnlyList<BulletinSummary>? Bulletins = null,
    [property: Id(6)] IReadOnlyList<ObservationLine>? Observations = null);

/// <summary>A gateway's one subscription to a topic, shared by all its dashboard viewers of that topic.</summary>
[Alias("coordination.IDashboardObserver")]
public interface IDashboardObserver : IGrainObserver
{
    [Alias("OnUpdate"), OneWay]
    Task OnUpdate(DashboardUpdate update);
}

/// <summary>Keeps the dashboard watchers of a grain: at most a few notifications a second, however busy the grain.</summary>
[Alias("coordination.IDashboardSource")]
public interface IDashboardSource
{
    /// <summary>Starts (or renews) a watcher and returns what the topic shows now.</summary>
    [Alias("Watch")]
    Task<DashboardUpdate> Watch(IDashboardObserver observer);

    [Alias("Unwatch")]
    Task Unwatch(IDashboardObserver observer);
}
