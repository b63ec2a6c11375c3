using System.Threading.Channels;
using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One gRPC stream's subscription to a grain: an Orleans observer feeding a bounded channel that the
/// stream drains, renewed with the grain while the stream lives (<see cref="ObserverLease"/>) and
/// removed when it ends. A reader that falls a whole buffer behind is cut off, and told how to catch
/// up, rather than silently missing what it watches.
/// </summary>
internal abstract class ObserverWatch<TObserver, TNotice> : IAsyncDisposable
    where TObserver : class, IGrainObserver
{
    protected const int Buffer = 1024;

    private readonly Channel<TNotice> _channel = Channel.CreateBounded<TNotice>(new BoundedChannelOptions(Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IGrainFactory _grains;
    private readonly CancellationTokenSource _stop = new();
    private TObserver? _reference;

    /// <summary>This watch's observer reference, for the grain calls a derived watch makes itself.</summary>
    protected TObserver Reference => _reference ?? throw new InvalidOperationException("not subscribed yet");
    private Func<TObserver, Task>? _unwatch;
    private Task? _renewal;

    protected ObserverWatch(IGrainFactory grains) => _grains = grains;

    /// <summary>What a reader cut off for falling behind is told (how it gets back what it missed).</summary>
    protected abstract string FellBehind { get; }

    /// <summary>Subscribes with <paramref name="watch"/>, renews with <paramref name="renew"/> until disposed, then leaves with <paramref name="unwatch"/>.</summary>
    protected async Task<T> SubscribeAsync<T>(Func<TObserver, Task<T>> watch, Func<TObserver, Task> renew, Func<TObserver, Task> unwatch)
    {
        var reference = _grains.CreateObjectReference<TObserver>((TObserver)(object)this);
        _reference = reference;
        _unwatch = unwatch;
        var first = await watch(reference);

        // A renewal that fails is simply tried again at the next tick, well inside the lease.
        _renewal = LeaseRenewal.KeepAsync(() => renew(reference), _ => { }, _stop.Token);
        return first;
    }

    /// <summary>Called by the grain (one-way): queued for the stream, or the stream is cut off.</summary>
    protected Task Push(TNotice notice)
    {
        if (!_channel.Writer.TryWrite(notice))
        {
            _channel.Writer.TryComplete(new CoordinationException(ErrorKind.ResourceExhausted, FellBehind));
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<TNotice> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_renewal is not null)
        {
            await _renewal;
        }

        if (_reference is not null)
        {
            try
            {
                await _unwatch!(_reference);
            }
            catch (Exception)
            {
                // The grain forgets watchers whose lease lapses anyway.
            }

            _grains.DeleteObjectReference<TObserver>(_reference);
        }

        _stop.Dispose();
    }
}
