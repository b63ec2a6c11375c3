namespace Coordination.Domain;

/// <summary>
/// One guard unit (key: <c>company/unit</c>, see <see cref="UnitKey"/>). Owns the unit's status and
/// its single current commitment: "committed to at most one incident" lives here and nowhere else.
/// </summary>
[Alias("coordination.IGuardUnitGrain")]
public interface IGuardUnitGrain : IGrainWithStringKey
{
    /// <summary>Called by the company grain only, after it has validated the batch and enrolled the district.</summary>
    [Alias("Register")]
    Task<UnitView> Register(UnitRegistration registration, bool licensed);

    /// <summary>A status report from the company. Durable before it returns.</summary>
    [Alias("ReportStatus")]
    Task<StatusReportOutcome> ReportStatus(UnitStatus status, GeoPoint? position);

    /// <summary>A heartbeat, with or without a position. Kept in memory and flushed on a timer.</summary>
    [Alias("Ping")]
    Task<UnitView> Ping(GeoPoint? position);

    [Alias("SetLicensed")]
    Task SetLicensed(bool licensed);

    /// <summary>
    /// Commits the unit to an incident. Idempotent per commitment id. Durable before it returns.
    /// <paramref name="exercise"/> marks an exercise; <paramref name="yielding"/> one that gives the
    /// unit up to a real incident that needs it. <paramref name="forDistrict"/> is the incident's district:
    /// when it is not the unit's own, the unit's district lends it only above its protected reserve.
    /// </summary>
    [Alias("Commit")]
    Task<UnitView> Commit(string commitmentId, string incidentId, bool exercise = false, bool yielding = false, string? forDistrict = null);

    /// <summary>Releases the commitment with this id; releasing one that is not current changes nothing.</summary>
    [Alias("Release")]
    Task<UnitView> Release(string commitmentId);

    /// <summary>Progress on the current commitment (en route, on scene), reported through the incident.</summary>
    [Alias("Progress")]
    Task<UnitView> Progress(string commitmentId, UnitStatus status);

    [Alias("Get"), ReadOnly]
    Task<UnitView?> Get();

    /// <summary>
    /// What this unit adds to its district now, or null when it is not registered. Interleaves: the
    /// district asks while rebuilding, possibly while this unit waits on that district.
    /// </summary>
    [Alias("GetContribution"), AlwaysInterleave]
    Task<UnitContribution?> GetContribution();
}
