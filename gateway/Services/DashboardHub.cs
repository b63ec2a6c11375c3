using System.Threading.Channels;
using Coordination.Domain;
using Orleans.Runtime;

namespace Coordination.Gateway.Services;

/// <summary>
/// One Orleans subscription per topic (a district, or the country) per gateway process, fanned out
/// to every dashboard viewer of that topic here. Each viewer has a one-slot buffer that keeps only
/// the newest picture: a viewer that stops reading loses superseded pictures, never slows the
/// others, and costs nothing once its stream ends.
/// </summary>
internal sealed partial class DashboardHub(IGrainFactory grains, ILogger<DashboardHub> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);

    /// <summary>How many viewers are attached, over all topics (for operators and tests).</summary>
    public int Viewers
    {
        get
        {
            lock (_lock)
            {
                return _topics.Values.Sum(t => t.ViewerCount);
            }
        }
    }

    public async Task<Viewer> JoinAsync(string key, Func<IDashboardSource> source)
    {
        Topic topic;
        Viewer viewer;
        lock (_lock)
        {
            if (!_topics.TryGetValue(key, out topic!))
            {
                topic = new Topic(this, key, source());
                _topics[key] = topic;
                topic.Start();
            }

            viewer = topic.Add();
        }

        try
        {
            await topic.Ready;
            lock (_lock)
            {
                // The newest picture the topic has, not the one it started with.
                viewer.Current = topic.Latest!;
            }

            return viewer;
        }
        catch
        {
            await viewer.DisposeAsync();
            throw;
        }
    }

    private void Leave(Topic topic, Viewer viewer)
    {
        lock (_lock)
        {
            if (topic.Remove(viewer) > 0)
            {
                return;
            }

            _topics.Remove(topic.Key);
        }

        topic.Stop();
    }

    /// <summary>Grain calls made for the hub carry no viewer's identity: the subscription is shared, and each viewer was authorised when it joined.</summary>
    private static Task<T> AsGateway<T>(Func<Task<T>> call) => Task.Run(() =>
    {
        RequestContext.Clear();
        return call();
    });

    internal sealed class Topic(DashboardHub hub, string key, IDashboardSource source) : IDashboardObserver
    {
        private readonly HashSet<Viewer> _viewers = [];
        private readonly CancellationTokenSource _stop = new();
        private IDashboardObserver? _reference;
        private DashboardUpdate? _latest;

        public string Key { get; } = key;

        public Task<DashboardUpdate> Ready { get; private set; } = null!;

        public int ViewerCount => _viewers.Count;

        public DashboardUpdate? Latest => _latest;

        public void Start()
        {
            _reference = hub.CreateReference(this);
            Ready = Subscribe();
        }

        public Viewer Add()
        {
            var viewer = new Viewer(hub, this);
            _viewers.Add(viewer);
            return viewer;
        }

        public int Remove(Viewer viewer)
        {
            _viewers.Remove(viewer);
            return _viewers.Count;
        }

        public void Stop()
        {
            _stop.Cancel();
            var reference = _reference!;
            _ = AsGateway(async () =>
            {
                try
                {
                    await source.Unwatch(reference);
                }
                catch (Exception e)
                {
                    hub.LogUnwatchFailed(e, Key);
                }

                hub.DeleteReference(reference);
                return true;
            });
        }

        public Task OnUpdate(DashboardUpdate update)
        {
            Viewer[] viewers;
            lock (hub._lock)
            {
                if (_latest is not null && !Newer(update, _latest))
                {
                    return Task.CompletedTask;
                }

                _latest = update;
                viewers = [.. _viewers];
            }

            foreach (var viewer in viewers)
            {
                viewer.Offer(update);
            }

            return Task.CompletedTask;
        }

        private async Task<DashboardUpdate> Subscribe()
        {
            var current = await AsGateway(() => source.Watch(_reference!));
            lock (hub._lock)
            {
                _latest = _latest is not null && Newer(_latest, current) ? _latest : current;
            }

            // Renewing also re-subscribes a grain that came back on another silo (see ObserverLease).
            _ = LeaseRenewal.KeepAsync(Renew, e => hub.LogRenewFailed(e, Key), _stop.Token);
            return current;
        }

        // The picture a renewal returns is news when the grain restarted meanwhile (a new epoch):
        // viewers get it now rather than at the grain's next change.
        private async Task Renew() => await OnUpdate(await AsGateway(() => source.Watch(_reference!)));
    }

    internal sealed class Viewer(DashboardHub hub, Topic topic) : IAsyncDisposable
    {
        private readonly Channel<DashboardUpdate> _updates = Channel.CreateBounded<DashboardUpdate>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false });

        public DashboardUpdate Current { get; set; } = null!;

        public void Offer(DashboardUpdate update) => _updates.Writer.TryWrite(update);

        public IAsyncEnumerable<DashboardUpdate> ReadAllAsync(CancellationToken cancellationToken) => _updates.Reader.ReadAllAsync(cancellationToken);

        public ValueTask DisposeAsync()
        {
            _updates.Writer.TryComplete();
            hub.Leave(topic, this);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Versions are "epoch-counter": a new epoch (the grain restarted) is always news; within one, a higher counter is.</summary>
    public static bool Newer(DashboardUpdate candidate, DashboardUpdate than)
    {
        var (epoch, counter) = Parse(candidate.Version);
        var (thanEpoch, thanCounter) = Parse(than.Version);
        return epoch != thanEpoch || counter > thanCounter;
    }

    private static (string Epoch, long Counter) Parse(string version)
    {
        var dash = version.LastIndexOf('-');
        return (version[..dash], long.Parse(version.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    private IDashboardObserver CreateReference(Topic topic) => grains.CreateObjectReference<IDashboardObserver>(topic);

    private void DeleteReference(IDashboardObserver reference) => grains.DeleteObjectReference<IDashboardObserver>(reference);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the dashboard subscription to {Topic} failed; retrying at the next renewal")]
    private partial void LogRenewFailed(Exception exception, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ending the dashboard subscription to {Topic} failed; the grain forgets it when its lease lapses")]
    private partial void LogUnwatchFailed(Exception exception, string topic);
}
