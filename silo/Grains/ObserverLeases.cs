using Coordination.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// The one way a grain keeps gateways' observers: Orleans' <see cref="ObserverManager{TObserver}"/>
/// under the <see cref="ObserverLease"/> (a watcher renews by watching again; one that stops
/// renewing is dropped at the next notification), on the grain's clock.
/// </summary>
internal static class ObserverLeases
{
    // The manager's only messages are debug lines per subscription and renewal: nothing an operator acts on.
    public static ObserverManager<T> Create<T>(TimeProvider time) =>
        new(ObserverLease.Duration, NullLogger.Instance) { GetDateTime = () => time.GetUtcNow().UtcDateTime };
}
