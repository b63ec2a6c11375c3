namespace Coordination.Domain;

/// <summary>
/// A police district (key: district id). Owns its live capacity figures. Units send it a new
/// contribution only when what they add changes; positions and heartbeats never reach it.
/// </summary>
[Alias("coordination.IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey, IDashboardSource
{
    /// <summary>Records that a company has units homed here, so the figures can be rebuilt after a restart. Durable.</summary>
    [Alias("EnrollCompany")]
    Task EnrollCompany(string companyId);

    [Alias("Apply")]
    Task Apply(UnitContribution contribution);

    [Alias("GetCapacity"), ReadOnly]
    Task<CapacityFigures> GetCapacity();

    /// <summary>The figures and the open incidents' board, as the national view is sent them.</summary>
    [Alias("GetSituation"), ReadOnly]
    Task<DistrictSituation> GetSituation();

    /// <summary>
    /// Available units with the capability, nearest to <paramref name="location"/> first. For
    /// another district's incident the list stops short of this district's protected reserve. With
    /// <paramref name="takeFromExercises"/> (a real incident asking), units on exercises that did not
    /// ask for live capacity follow, nearest first. The first units covering <paramref name="guards"/>
    /// are held for <paramref name="forRequest"/> for a moment: other requests see them after every
    /// other unit, so requests arriving together are offered different units instead of all racing
    /// for the nearest one. Of the ranked list, only what the request's next offer can be made from
    /// comes back (the first company with units that fit, and the smallest unit too large).
    /// </summary>
    [Alias("FindCandidates")]
    Task<IReadOnlyList<Candidate>> FindCandidates(string capability, GeoPoint location, string forDistrict, string[] excludeUnits, string[] excludeCompanies, bool takeFromExercises, string forRequest, int guards);

    /// <summary>Records an open incident (durable), so it is woken after a restart and listed.</summary>
    /// <summary>
    /// A unit homed here is about to commit to another district's incident: refused (FAILED_PRECONDITION)
    /// when lending it would take this district below its protected reserve, counting what it has
    /// already promised. Called by the unit, so every path to a commitment passes here.
    /// </summary>
    [Alias("Lend")]
    Task Lend(string unitKey, int guards, string forDistrict);

    [Alias("IncidentOpened")]
    Task IncidentOpened(string incidentId);

    [Alias("IncidentClosed")]
    Task IncidentClosed(string incidentId);

    /// <summary>An open incident's board line changed. Kept in memory only: incidents send it again when woken.</summary>
    [Alias("IncidentChanged"), OneWay]
    Task IncidentChanged(IncidentSummary summary);

    [Alias("ListIncidents"), ReadOnly]
    Task<IReadOnlyList<string>> ListIncidents(bool includeClosed);

    /// <summary>
    /// The companies with units here inside a bulletin's area (by the position each unit last reported
    /// with a status, or by home district for an area of districts); with a capability, only units
    /// that have it; with <paramref name="onDutyOnly"/>, only units available, committed, en route or on scene.
    /// </summary>
    [Alias("CompaniesInArea"), ReadOnly]
    Task<AreaSearch> CompaniesInArea(BulletinArea area, string? capability, bool onDutyOnly);

    /// <summary>Lists a bulletin issued here (durable): outstanding ones are woken after a restart, ended ones when their text is due for erasure.</summary>
    [Alias("BulletinRecorded")]
    Task BulletinRecorded(string bulletinId, bool outstanding, DateTimeOffset? wakeAt);

    /// <summary>A bulletin's board line changed. Kept in memory only: bulletins send it again when woken.</summary>
    [Alias("BulletinChanged"), OneWay]
    Task BulletinChanged(BulletinSummary summary);

    /// <summary>The district's bulletins, newest first: outstanding ones, and with <paramref name="includeEnded"/> the recently ended.</summary>
    [Alias("ListBulletins"), ReadOnly]
    Task<IReadOnlyList<string>> ListBulletins(bool includeEnded);

    /// <summary>
    /// Observation lines for the district's dashboards, from its queue: one line as it changes, or
    /// every open one again when the district resumes the queue. Kept in memory only (a newer version
    /// of a line replaces an older one; a closed one leaves the board).
    /// </summary>
    [Alias("ObservationChanged"), OneWay]
    Task ObservationChanged(IReadOnlyList<ObservationLine> lines);
}

/// <summary>A district's answer for a bulletin's area: the companies that fit the audience, and whether any unit at all is inside it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.AreaSearch")]
public sealed record AreaSearch([property: Id(0)] string[] Companies, [property: Id(1)] bool AnyUnit);

/// <summary>The national view (key: "no"): the sum of the 12 districts, updated by them at a bounded rate.</summary>
[Alias("coordination.INationalGrain")]
public interface INationalGrain : IGrainWithStringKey, IDashboardSource
{
    public const string Key = "no";

    [Alias("Report"), OneWay]
    Task Report(DistrictSituation district);

    [Alias("GetCapacity"), ReadOnly]
    Task<CapacityFigures> GetCapacity();
}
