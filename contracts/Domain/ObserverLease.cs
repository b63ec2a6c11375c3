namespace Coordination.Domain;

/// <summary>
/// The lease by which a grain keeps a gateway's observer (a company's offer watcher, a dashboard
/// topic): the grain forgets an observer that has not renewed within <see cref="Duration"/> (its
/// gateway is gone), and a gateway renews every <see cref="RenewEvery"/> while its stream lives.
/// Constants rather than settings: the silo holding the lease and a stand-alone gateway renewing it
/// are different processes with their own configuration, and they must never disagree.
/// </summary>
public static class ObserverLease
{
    /// <summary>How long a grain keeps an observer that has stopped renewing.</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How often a gateway renews. Well inside <see cref="Duration"/>: several renewals in a row may
    /// fail (a fail-over, a busy silo) before the lease lapses. A renewal also re-subscribes to a grain
    /// that came back on another silo (observers are lost with the silo a grain left), so this bounds
    /// how long a watcher hears nothing after a fail-over.
    /// </summary>
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(15);
}
