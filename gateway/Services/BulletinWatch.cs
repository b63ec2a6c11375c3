using System.Threading.Channels;
using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One company's bulletin stream: an Orleans observer on the company's feed, feeding a bounded
/// channel that the gRPC stream drains, renewed while the stream lives. Live events that arrive
/// while the first ones are still being sent are held, and any at or below the last sequence sent
/// are skipped, so the stream never repeats an event. A reader a whole buffer behind is cut off (and
/// told so): it reconnects with its last sequence and loses nothing.
/// </summary>
internal sealed class BulletinWatch : IBulletinObserver, IAsyncDisposable
{
    private const int Buffer = 1024;

    private readonly Channel<BulletinNotice> _channel = Channel.CreateBounded<BulletinNotice>(new BoundedChannelOptions(Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IGrainFactory _grains;
    private readonly ICompanyBulletinsGrain _feed;
    private readonly CancellationTokenSource _stop = new();
    private IBulletinObserver? _reference;
    private Task? _renewal;

    private BulletinWatch(IGrainFactory grains, string companyId)
    {
        _grains = grains;
        _feed = grains.GetGrain<ICompanyBulletinsGrain>(companyId);
    }

    /// <summary>What to send first (from the feed's start, or after the caller's last sequence).</summary>
    public BulletinFeedStart Start { get; private set; } = new([], false);

    /// <summary>The last sequence the stream has sent (the renewal passes it, so a renewal costs the feed nothing to answer).</summary>
    public long LastSent { get; set; }

    public static async Task<BulletinWatch> StartAsync(IGrainFactory grains, string companyId, long afterSequence)
    {
        var watch = new BulletinWatch(grains, companyId);
        var reference = grains.CreateObjectReference<IBulletinObserver>(watch);
        watch._reference = reference;
        watch.LastSent = afterSequence;
        watch.Start = await watch._feed.Watch(reference, afterSequence);
        watch._renewal = LeaseRenewal.KeepAsync(() => watch._feed.Watch(reference, watch.LastSent), _ => { }, watch._stop.Token);
        return watch;
    }

    public Task OnBulletin(BulletinNotice notice)
    {
        if (!_channel.Writer.TryWrite(notice))
        {
            _channel.Writer.TryComplete(new CoordinationException(ErrorKind.ResourceExhausted, $"the watcher fell more than {Buffer} bulletins behind; reconnect with the last sequence received"));
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<BulletinNotice> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

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
                await _feed.Unwatch(_reference);
            }
            catch (Exception)
            {
                // The feed forgets watchers whose lease lapses anyway.
            }

            _grains.DeleteObjectReference<IBulletinObserver>(_reference);
        }

        _stop.Dispose();
    }
}
