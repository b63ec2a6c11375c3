using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// The dashboard watchers of one grain's figures and the version of what they were last told.
/// Watchers renew themselves; one that has not renewed within three minutes is dropped (its
/// gateway is gone). Notifications are one-way, so a slow gateway never holds up the grain.
/// </summary>
internal sealed class DashboardWatchers(TimeProvider time)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(3);

    private readonly Dictionary<IDashboardObserver, DateTimeOffset> _watchers = [];

    // The epoch makes versions from an earlier activation (before a restart) never match a new one.
    private readonly string _epoch = Guid.NewGuid().ToString("N")[..8];
    private long _counter;

    public string Version => $"{_epoch}-{_counter}";

    public void Watch(IDashboardObserver observer) => _watchers[observer] = time.GetUtcNow();

    public void Unwatch(IDashboardObserver observer) => _watchers.Remove(observer);

    public bool Any => _watchers.Count > 0;

    /// <summary>A new version of what the topic shows: every watcher is told.</summary>
    public void Changed(DashboardUpdate content)
    {
        _counter++;
        var update = content with { Version = Version };
        var now = time.GetUtcNow();
        foreach (var (watcher, renewed) in _watchers.ToList())
        {
            if (now - renewed > Expiry)
            {
                _watchers.Remove(watcher);
                continue;
            }

            watcher.OnUpdate(update).Ignore();
        }
    }
}
