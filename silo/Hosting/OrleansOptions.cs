using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Hosting;

/// <summary>Configuration section <c>Coordination:Orleans</c>.</summary>
public sealed class OrleansOptions
{
    public const string Section = "Coordination:Orleans";

    public string ClusterId { get; set; } = "coordination";

    /// <summary>Grain state is keyed by this: it must stay the same across restarts and versions.</summary>
    public string ServiceId { get; set; } = "coordination";

    /// <summary>Silo-to-silo port. Orleans binds with address reuse, so every process needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port that gateway processes (Orleans clients) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address the silo binds and advertises. Loopback by default: silo ports never face untrusted networks.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>
    /// Which grain directory a cluster uses (one silo has no choice to make). <see cref="GrainDirectoryKind.Consistent"/>
    /// unless an operator has reason to go back to Orleans' default; see the README's "Silos joining and leaving".
    /// </summary>
    public GrainDirectoryKind GrainDirectory { get; set; } = GrainDirectoryKind.Consistent;

    /// <summary>Lowers Orleans' one-minute floor on reminder periods; for tests that watch a reminder fire.</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    public sealed class Validator : IValidateOptions<OrleansOptions>
    {
        public ValidateOptionsResult Validate(string? name, OrleansOptions o)
        {
            var checks = new SettingChecks(Section)
                .Required(o.ClusterId)
                .Required(o.ServiceId)
                .Between(o.SiloPort, 1, 65535)
                .Between(o.GatewayPort, 1, 65535)
                .Address(o.Address);
            if (o.MinimumReminderPeriod is { } minimum)
            {
                checks.Positive(minimum, setting: nameof(MinimumReminderPeriod));
            }

            // Both are bound on the one address: the same port twice fails to bind, or (Orleans binds with
            // address reuse) makes clients talk to the silo port.
            return checks.That(o.SiloPort != o.GatewayPort,
                $"{checks.Name(nameof(SiloPort))} and {checks.Name(nameof(GatewayPort))} must differ (both are {o.SiloPort}).").Result;
        }
    }
}

/// <summary>The grain directories a cluster can use.</summary>
public enum GrainDirectoryKind
{
    /// <summary>
    /// Orleans' strongly consistent directory (<c>AddDistributedGrainDirectory</c>): a silo joining or
    /// leaving hands its ranges over under range locks, so no grain gets a second activation and no
    /// grain on the silos that stay is deactivated.
    /// </summary>
    Consistent = 0,

    /// <summary>
    /// Orleans' default, eventually consistent directory: a silo that leaves takes its part of the
    /// directory with it, and the others deactivate every grain listed there.
    /// </summary>
    Eventual = 1,
}
