using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>Configuration section <c>Coordination:Offers</c>: how long a company has to answer, by priority.</summary>
public sealed class OfferOptions
{
    public const string Section = "Coordination:Offers";

    public TimeSpan UrgentDeadline { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan HighDeadline { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan RoutineDeadline { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often a district with open incidents makes sure each of them is active. Deadlines are
    /// grain timers re-armed from incident state on activation; in a cluster, an incident whose silo
    /// failed is activated again on a survivor by this (a durable reminder) at the latest. Orleans
    /// does not accept reminder periods under one minute unless the floor is lowered.
    /// </summary>
    public TimeSpan WakeIncidentsEvery { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan DeadlineFor(Priority priority) => priority switch
    {
        Priority.Urgent => UrgentDeadline,
        Priority.High => HighDeadline,
        _ => RoutineDeadline,
    };
}
