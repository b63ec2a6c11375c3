using System.Runtime.CompilerServices;
using Coordination.Domain;
using Coordination.Gateway.Security;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>
/// The dashboard streams as sequences of API messages, for the gRPC service and the browser's
/// event stream alike. Each method checks the caller and the ids before it returns, so a refusal
/// comes before the first message; what the caller may not see (another district's incidents, a
/// bulletin above its TLP reach, another district's observations) is left out of every picture.
/// </summary>
internal sealed class DashboardFeeds(IGrainFactory grains, DashboardHub hub)
{
    // Every viewer of a topic is sent the same picture: it is mapped once for all viewers who may see
    // all of it, and kept only as long as the hub holds the picture. Viewers share one without the
    // observations' ids (see ObservationLine.IdShownTo).
    private readonly ConditionalWeakTable<DashboardUpdate, object> _mapped = [];
    private readonly ConditionalWeakTable<DashboardUpdate, object> _mappedForViewers = [];

    public Task<Feed<Proto.CapacityUpdate>> District(Caller caller, string districtId)
    {
        var district = Validate.District(districtId, "district_id");
        caller.CapacityReader([district], national: false);
        return Join($"district:{district}", () => grains.Reference<IDistrictGrain>(district), u => Capacity(u, Proto.CapacityScope.District, caller));
    }

    public Task<Feed<Proto.CapacityUpdate>> National(Caller caller)
    {
        caller.CapacityReader([], national: true);
        return Join("national", () => grains.Reference<INationalGrain>(INationalGrain.Key), u => Capacity(u, Proto.CapacityScope.National, caller));
    }

    public Task<Feed<Proto.IncidentUpdate>> Incident(Caller caller, string incidentIdText)
    {
        var incidentId = Validate.IncidentId(incidentIdText, "incident_id");
        caller.ReaderOf(IncidentIds.District(incidentId));
        return Join($"incident:{incidentId}", () => grains.Reference<IIncidentGrain>(incidentId),
            u => Shared(u, () => new Proto.IncidentUpdate { Version = u.Version, Incident = u.Incident!.ToApi() }));
    }

    /// <summary>Joins the topic now, so an unknown incident is refused before anything is sent.</summary>
    private async Task<Feed<TMessage>> Join<TMessage>(string topic, Func<IDashboardSource> source, Func<DashboardUpdate, TMessage> toApi) =>
        new(await hub.JoinAsync(topic, source), toApi);

    /// <summary>
    /// The picture as <paramref name="caller"/> may see it. What it may not see (another district's
    /// incidents; a bulletin line above its TLP reach) is left out here, for both transports. The
    /// version stays the topic's: the same caller always gets the same lines under one version, so
    /// resuming from it (after_version, Last-Event-ID) repeats and misses nothing.
    /// </summary>
    private Proto.CapacityUpdate Capacity(DashboardUpdate update, Proto.CapacityScope scope, Caller caller)
    {
        var incidents = update.Incidents ?? [];
        var bulletins = update.Bulletins ?? [];
        var observations = update.Observations ?? [];
        if (incidents.All(i => caller.MayRead(i.District)) && bulletins.All(b => b.ShownTo(caller)) && observations.All(o => o.ShownTo(caller)))
        {
            // Only the whole picture is shared between viewers: a cut-down one is one caller's alone.
            return Shared(caller.Role == CallerRole.Viewer ? _mappedForViewers : _mapped, update, () => Map(update, scope, incidents, bulletins, observations, caller));
        }

        // A police operator may read the whole country's figures, but only the incidents of districts they
        // cover; wall screens and other districts' police see bulletins only up to their level, and
        // another district's observations not at all.
        return Map(update, scope, [.. incidents.Where(i => caller.MayRead(i.District))], [.. bulletins.Where(b => b.ShownTo(caller))],
            [.. observations.Where(o => o.ShownTo(caller))], caller);
    }

    private static Proto.CapacityUpdate Map(
        DashboardUpdate update, Proto.CapacityScope scope, IEnumerable<IncidentSummary> incidents, IEnumerable<BulletinSummary> bulletins,
        IEnumerable<ObservationLine> observations, Caller caller) => new()
    {
        Version = update.Version,
        Capacity = update.Figures!.ToApi(scope),
        Districts = { (update.Districts ?? []).Select(d => d.ToApi(Proto.CapacityScope.District)) },
        Incidents = { incidents.Select(i => i.ToApi()) },
        Bulletins = { bulletins.Select(b => b.ToApi()) },
        Observations = { observations.Select(o => o.ToApi(withId: o.IdShownTo(caller))) },
    };

    private TMessage Shared<TMessage>(DashboardUpdate update, Func<TMessage> map) where TMessage : class => Shared(_mapped, update, map);

    private static TMessage Shared<TMessage>(ConditionalWeakTable<DashboardUpdate, object> table, DashboardUpdate update, Func<TMessage> map) where TMessage : class =>
        (TMessage)table.GetValue(update, _ => map());
}

/// <summary>One viewer's place on a topic; disposing it gives the place back to the hub.</summary>
internal sealed class Feed<TMessage>(DashboardHub.Viewer viewer, Func<DashboardUpdate, TMessage> toApi) : IAsyncDisposable
{
    public async IAsyncEnumerable<TMessage> ReadAllAsync(string afterVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var last = viewer.Current;

        // A client that reconnects with the version it last saw is not sent the same picture again.
        if (last.Version != afterVersion)
        {
            yield return toApi(last);
        }

        await foreach (var update in viewer.ReadAllAsync(cancellationToken))
        {
            if (DashboardHub.Newer(update, last))
            {
                last = update;
                yield return toApi(update);
            }
        }
    }

    public ValueTask DisposeAsync() => viewer.DisposeAsync();
}
