using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Coordination.Silo.Hosting;

/// <summary>
/// Configuration section <c>Coordination:Orleans:FailureDetection</c>: how fast a cluster notices a silo
/// that stops answering (SIGSTOP, a VM stall, a long GC pause) and stops waiting for it. The names are
/// Orleans' own (<see cref="ClusterMembershipOptions"/>, <see cref="SiloMessagingOptions.ResponseTimeout"/>),
/// so its documentation applies; the defaults are this project's, chosen so that a silo that stops
/// answering is voted dead in about 5–10 s on two or three silos (Orleans' own defaults took over a
/// minute). The README's "Running it as a cluster" explains each and what it costs.
/// Used in cluster mode only: a single node has no other silo to suspect or to fail over to.
/// </summary>
public sealed class FailureDetectionOptions
{
    public const string Section = "Coordination:Orleans:FailureDetection";

    /// <summary>
    /// Starting timeout of a liveness probe. Orleans adapts it to the measured round trips, between
    /// half of it (the floor on a quiet network, and then also the period between probes) and
    /// <see cref="MaxProbeTimeout"/>.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Ceiling of the adapted probe timeout, which a prober that finds itself degraded (thread-pool
    /// delays, GC pauses) stretches towards. It also sets the window in which any message received from a
    /// silo cancels a vote against it: <see cref="MaxProbeTimeout"/> × <see cref="NumMissedProbesLimit"/>,
    /// which is the least time a silo can be declared dead in.
    /// </summary>
    public TimeSpan MaxProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Probes missed in a row before a silo is suspected; the last one goes through another silo when there is one.</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>Votes that declare a silo dead (never more than half the live silos, so two silos need one).</summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>How long a vote counts: a suspicion older than this is forgotten.</summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each silo re-reads the membership table. A silo that was frozen learns here, on its
    /// first read after waking, that it was declared dead, and stops.
    /// </summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each silo writes its heartbeat (IAmAliveTime) in the membership table; three missed make it stale.</summary>
    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether a silo that misses probes is also probed through another silo before it is suspected (guards against a broken link between two silos only).</summary>
    public bool EnableIndirectProbes { get; set; } = true;

    /// <summary>
    /// How long a grain call waits for the silo that holds the grain. Well below the clients' deadlines
    /// (10 s for the project's clients), so a call to a silo that stopped answering fails as
    /// UNAVAILABLE, and the client's retry finds the grain on a live silo once the frozen one is voted out.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The least time in which a silo that stopped answering can be declared dead (see <see cref="MaxProbeTimeout"/>).</summary>
    public TimeSpan SuspicionWindow => MaxProbeTimeout * NumMissedProbesLimit;

    public void ApplyTo(ClusterMembershipOptions o)
    {
        o.ProbeTimeout = ProbeTimeout;
        o.MaxProbeTimeout = MaxProbeTimeout;
        o.NumMissedProbesLimit = NumMissedProbesLimit;
        o.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        o.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
        o.TableRefreshTimeout = TableRefreshTimeout;
        o.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
        o.EnableIndirectProbes = EnableIndirectProbes;
    }

    /// <summary>Refuses at start what the cluster cannot work with, naming the setting.</summary>
    public sealed class Validator : IValidateOptions<FailureDetectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, FailureDetectionOptions o)
        {
            var checks = new SettingChecks(Section)
                .Positive(o.ProbeTimeout)
                .Positive(o.MaxProbeTimeout)
                .Positive(o.DeathVoteExpirationTimeout)
                .Positive(o.TableRefreshTimeout)
                .Positive(o.IAmAliveTablePublishTimeout)
                .Positive(o.ResponseTimeout)
                .AtLeast(o.NumMissedProbesLimit, 1)
                .AtLeast(o.NumVotesForDeathDeclaration, 1);

            // Orleans' adapted timeout never goes below half of ProbeTimeout; a ceiling under that floor
            // throws inside the prober on every probe instead of at start.
            checks.That(o.MaxProbeTimeout >= o.ProbeTimeout / 2,
                $"{checks.Name(nameof(MaxProbeTimeout))} ({o.MaxProbeTimeout}) must be at least half of {nameof(ProbeTimeout)} ({o.ProbeTimeout}).");

            // A vote must still count when the second silo's suspicion arrives, at the earliest one
            // suspicion window later; otherwise a silo of a larger cluster could never be voted out.
            return checks.That(o.NumMissedProbesLimit < 1 || o.DeathVoteExpirationTimeout >= o.SuspicionWindow * 2,
                $"{checks.Name(nameof(DeathVoteExpirationTimeout))} ({o.DeathVoteExpirationTimeout}) must be at least twice {nameof(MaxProbeTimeout)} × {nameof(NumMissedProbesLimit)} ({o.SuspicionWindow * 2}): votes would expire before a second silo could add its own.")
                .Result;
        }
    }
}
