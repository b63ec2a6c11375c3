using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// One company watcher's offers (<see cref="ObserverWatch{TObserver, TNotice}"/>). A reader cut off for
/// falling behind gets every outstanding offer again when it reconnects.
/// </summary>
internal sealed class OfferWatch : ObserverWatch<IOfferObserver, OfferNotice>, IOfferObserver
{
    private OfferWatch(IGrainFactory grains)
        : base(grains)
    {
    }

    public IReadOnlyList<OfferNotice> Outstanding { get; private set; } = [];

    protected override string FellBehind => $"the watcher fell more than {Buffer} offers behind; reconnect to get every outstanding offer";

    public static async Task<OfferWatch> StartAsync(IGrainFactory grains, string companyId)
    {
        var company = grains.Reference<ICompanyGrain>(companyId);
        var watch = new OfferWatch(grains);
        watch.Outstanding = await watch.SubscribeAsync(company.Watch, company.Watch, company.Unwatch);
        return watch;
    }

    public Task OnOffer(OfferNotice notice) => Push(notice);
}
