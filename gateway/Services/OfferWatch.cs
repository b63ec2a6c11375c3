using System.Threading.Channels;
using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One company watcher's subscription: an Orleans observer feeding a bounded channel that the gRPC
/// stream drains. It renews itself with the company grain while the stream lives and is removed
/// when the stream ends. A reader that falls a whole buffer behind is cut off (and told so) rather
/// than silently missing offers: on reconnect it gets every outstanding offer again.
/// </summary>
internal sealed class OfferWatch : IOfferObserver, IAsyncDisposable
{
    private const int Buffer = 1024;

    private readonly Channel<OfferNotice> _channel = Channel.CreateBounded<OfferNotice>(new BoundedChannelOptions(Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IGrainFactory _grains;
    private readonly ICompanyGrain _company;
    private readonly CancellationTokenSource _stop = new();
    private IOfferObserver? _reference;
    private Task? _renewal;

    private OfferWatch(IGrainFactory grains, string companyId)
    {
        _grains = grains;
        _company = grains.GetGrain<ICompanyGrain>(companyId);
    }

    public IReadOnlyList<OfferNotice> Outstanding { get; private set; } = [];

    public static async Task<OfferWatch> StartAsync(IGrainFactory grains, string companyId)
    {
        var watch = new OfferWatch(grains, companyId);
        var reference = grains.CreateObjectReference<IOfferObserver>(watch);
        watch._reference = reference;
        watch.Outstanding = await watch._company.Watch(reference);

        // A renewal that fails is simply tried again at the next tick, well inside the lease.
        watch._renewal = LeaseRenewal.KeepAsync(() => watch._company.Watch(reference), _ => { }, watch._stop.Token);
        return watch;
    }

    public Task OnOffer(OfferNotice notice)
    {
        if (!_channel.Writer.TryWrite(notice))
        {
            _channel.Writer.TryComplete(new CoordinationException(ErrorKind.ResourceExhausted, $"the watcher fell more than {Buffer} offers behind; reconnect to get every outstanding offer"));
        }

        return Task.CompletedTask;
    }

    public IAsyncEnumerable<OfferNotice> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);

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
                await _company.Unwatch(_reference);
            }
            catch (Exception)
            {
                // The company forgets watchers whose lease lapses anyway.
            }

            _grains.DeleteObjectReference<IOfferObserver>(_reference);
        }

        _stop.Dispose();
    }
}
