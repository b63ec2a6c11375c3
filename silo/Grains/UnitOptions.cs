using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>Configuration section <c>Coordination:Units</c>.</summary>
public sealed class UnitOptions
{
    public const string Section = "Coordination:Units";

    /// <summary>A unit whose last heartbeat is older than this is not counted as available.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Heartbeats and positions are kept in memory and written at most this long after they arrive
    /// (and on deactivation). Status changes never wait for this: they are written before the reply.
    /// </summary>
    public TimeSpan HeartbeatFlushInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after committing a unit asks its incident whether the incident stored the commitment
    /// (it also asks whenever it is activated holding one). An incident whose silo stopped between the
    /// unit's commitment and its own write lets the unit go then; until then the unit counts as committed.
    /// </summary>
    public TimeSpan CommitmentCheckAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>All are grain timers' waits: zero staleness would count no unit as available; zero flushing writes every heartbeat.</summary>
    public sealed class Validator : IValidateOptions<UnitOptions>
    {
        public ValidateOptionsResult Validate(string? name, UnitOptions o) => new SettingChecks(Section)
            .Positive(o.StaleAfter, SettingChecks.LongestTimerWait)
            .NotNegative(o.HeartbeatFlushInterval, SettingChecks.LongestTimerWait)
            .Positive(o.CommitmentCheckAfter, SettingChecks.LongestTimerWait)
            .Result;
    }
}
