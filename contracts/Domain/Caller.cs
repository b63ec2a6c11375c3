namespace Coordination.Domain;

public enum CallerRole
{
    /// <summary>A police operations centre: one or more districts, or national (the Police Directorate).</summary>
    Police = 1,

    /// <summary>A security company's control-room system: exactly one company.</summary>
    Company = 2,

    /// <summary>A dashboard: read-only, a district or national.</summary>
    Viewer = 3,
}

/// <summary>
/// Who is calling, as the gateway established it from the caller's token. It travels with every
/// grain call the gateway makes (Orleans RequestContext), so the silo checks it again.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.Caller")]
public sealed record Caller(
    [property: Id(0)] string Subject,
    [property: Id(1)] CallerRole Role,
    [property: Id(2)] string[] Districts,
    [property: Id(3)] bool National,
    [property: Id(4)] string? CompanyId)
{
    public bool Covers(string district) => National || Districts.Contains(district, StringComparer.Ordinal);

    /// <summary>How the caller appears on timelines and in the audit log.</summary>
    public string Actor => Role == CallerRole.Company ? $"company:{CompanyId}" : $"{Role.ToString().ToLowerInvariant()}:{Subject}";

    public string Scope => Role == CallerRole.Company ? $"company:{CompanyId}" : National ? "national" : $"districts:{string.Join(",", Districts)}";
}

public static class CallerContext
{
    public const string CallerKey = "coordination.caller";

    /// <summary>Present only on a call that came straight from the gateway; removed before the grain calls on.</summary>
    public const string EntryKey = "coordination.entry";

    /// <summary>
    /// The audit record of a plain status report's start (an <see cref="AuditRecord"/>), handed to the
    /// unit instead of being written by the gateway: the unit writes it only when the report changes its
    /// status, before its own write. A report that repeats the status (most of a control room's feed)
    /// then costs no audit write at all, and a change still never exists without its record. Incident
    /// commands hand it to their incident, which stores it with its first change and appends it beside
    /// that write, overlapping the command's own work instead of preceding it.
    /// </summary>
    public const string DeferredStartKey = "coordination.audit-start";
}
