using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>Configuration section <c>Coordination:Offers</c>: how long a company has to answer, by priority.</summary>
public sealed class OfferOptions
{
    public const string Section = "Coordination:Offers";

    public TimeSpan UrgentDeadline { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan HighDeadline { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan RoutineDeadline { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan DeadlineFor(Priority priority) => priority switch
    {
        Priority.Urgent => UrgentDeadline,
        Priority.High => HighDeadline,
        _ => RoutineDeadline,
    };
}
