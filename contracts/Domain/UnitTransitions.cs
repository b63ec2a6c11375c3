namespace Coordination.Domain;

/// <summary>Who moves a unit from one status to another.</summary>
public enum TransitionActor
{
    /// <summary>The company's control room reporting on its own unit.</summary>
    Company = 1,

    /// <summary>The commitment protocol: an incident committing or releasing the unit.</summary>
    Assignment = 2,
}

/// <summary>
/// The unit status machine. A company reports availability directly; everything about an
/// assignment (committed, en route, on scene, released) goes through the incident that owns it, so
/// a control room cannot quietly take a unit away from an incident, and the incident's record of
/// its units is never behind the units themselves.
/// </summary>
public static class UnitTransitions
{
    private static readonly HashSet<(UnitStatus From, UnitStatus To)> ByCompany =
    [
        (UnitStatus.Available, UnitStatus.Unavailable),
        (UnitStatus.Available, UnitStatus.OutOfService),
        (UnitStatus.Unavailable, UnitStatus.Available),
        (UnitStatus.Unavailable, UnitStatus.OutOfService),
        (UnitStatus.OutOfService, UnitStatus.Available),
        (UnitStatus.OutOfService, UnitStatus.Unavailable),
    ];

    private static readonly HashSet<(UnitStatus From, UnitStatus To)> ByAssignment =
    [
        (UnitStatus.Available, UnitStatus.Committed),
        (UnitStatus.Committed, UnitStatus.EnRoute),
        (UnitStatus.Committed, UnitStatus.OnScene),
        (UnitStatus.EnRoute, UnitStatus.OnScene),
        (UnitStatus.Committed, UnitStatus.Available),
        (UnitStatus.EnRoute, UnitStatus.Available),
        (UnitStatus.OnScene, UnitStatus.Available),
    ];

    /// <summary>Repeating the current status is always allowed: it is how a feed says "still so".</summary>
    public static bool IsAllowed(UnitStatus from, UnitStatus to, TransitionActor actor) =>
        from == to || (actor switch
        {
            TransitionActor.Company => ByCompany,
            TransitionActor.Assignment => ByAssignment,
            _ => [],
        }).Contains((from, to));

    public static string Explain(UnitStatus from, UnitStatus to) => (from, to) switch
    {
        (UnitStatus.Committed or UnitStatus.EnRoute or UnitStatus.OnScene, _) when to is UnitStatus.Available or UnitStatus.Unavailable or UnitStatus.OutOfService =>
            $"the unit is {Describe(from)} on an incident; it becomes available again only when the incident releases it",
        (_, UnitStatus.Committed) =>
            "a unit is committed only by answering an offer, never by a status report",
        (UnitStatus.Committed or UnitStatus.EnRoute, UnitStatus.EnRoute or UnitStatus.OnScene) =>
            $"progress on an assignment is reported to its incident (ReportAssignmentProgress)",
        (_, UnitStatus.EnRoute or UnitStatus.OnScene) =>
            $"a unit can be {Describe(to)} only while assigned to an incident ({Describe(from)} now)",
        _ => $"a unit cannot go from {Describe(from)} to {Describe(to)}",
    };

    public static string Describe(UnitStatus status) => status switch
    {
        UnitStatus.Available => "available",
        UnitStatus.Unavailable => "unavailable",
        UnitStatus.Committed => "committed",
        UnitStatus.EnRoute => "en route",
        UnitStatus.OnScene => "on scene",
        UnitStatus.OutOfService => "out of service",
        _ => status.ToString(),
    };
}
