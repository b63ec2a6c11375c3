using Coordination.Domain;
using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

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

    /// <summary>
    /// Deadlines are grain timers' waits; the wake-up is a reminder, which Orleans refuses below its
    /// minimum period (<c>Coordination:Orleans:MinimumReminderPeriod</c>, a minute by default) when the
    /// first incident of a district opens.
    /// </summary>
    public sealed class Validator(IOptions<ReminderOptions> reminders) : IValidateOptions<OfferOptions>
    {
        public ValidateOptionsResult Validate(string? name, OfferOptions o)
        {
            var minimum = reminders.Value.MinimumReminderPeriod;
            var checks = new SettingChecks(Section)
                .Positive(o.UrgentDeadline, SettingChecks.LongestTimerWait)
                .Positive(o.HighDeadline, SettingChecks.LongestTimerWait)
                .Positive(o.RoutineDeadline, SettingChecks.LongestTimerWait);
            return checks
                .That(o.WakeIncidentsEvery >= minimum && o.WakeIncidentsEvery <= SettingChecks.LongestTimerWait,
                    $"{checks.Name(nameof(WakeIncidentsEvery))} must be from the minimum reminder period ({minimum}; {Hosting.OrleansOptions.Section}:{nameof(Hosting.OrleansOptions.MinimumReminderPeriod)}) to {SettingChecks.LongestTimerWait} (was {o.WakeIncidentsEvery}).")
                .Result;
        }
    }
}
