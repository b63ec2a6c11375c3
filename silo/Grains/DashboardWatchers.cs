using Coordination.Domain;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// The dashboard watchers of one grain's figures and the version of what they were last told.
/// Watchers hold a lease (see <see cref="ObserverLeases"/>). Notifications are one-way, so a slow
/// gateway never holds up the grain.
/// </summary>
internal sealed class DashboardWatchers(TimeProvider time)
{
    private readonly ObserverManager<IDashboardObserver> _watchers = ObserverLeases.Create<IDashboardObserver>(time);

    // The epoch makes versions from an earlier activation (before a restart) never match a new one.
    private readonly string _epoch = Guid.NewGuid().ToString("N")[..8];
    private long _counter;

    public string Version => $"{_epoch}-{_counter}";

    public void Watch(IDashboardObserver observer) => _watchers.Subscribe(observer, observer);

    public void Unwatch(IDashboardObserver observer) => _watchers.Unsubscribe(observer);

    public bool Any => _watchers.Count > 0;

    /// <summary>A new version of what the topic shows: every watcher is told.</summary>
    public void Changed(DashboardUpdate content)
    {
        _counter++;
        var update = content with { Version = Version };
        _watchers.Notify(watcher => watcher.OnUpdate(update).Ignore());
    }
}
