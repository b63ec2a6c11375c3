using Coordination.Domain;
using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Dashboards: read-only streams of live figures, fanned out by the <see cref="DashboardHub"/>.</summary>
internal sealed class DashboardApi(IGrainFactory grains, DashboardHub hub) : Proto.DashboardService.DashboardServiceBase
{
    public override Task WatchDistrict(Proto.WatchDistrictRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        context.Caller().CapacityReader([district], national: false);
        return Stream($"district:{district}", () => grains.GetGrain<IDistrictGrain>(district), u => Figures(u, Proto.CapacityScope.District), request.AfterVersion, responseStream, context);
    }

    public override Task WatchNational(Proto.WatchNationalRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context)
    {
        context.Caller().CapacityReader([], national: true);
        return Stream("national", () => grains.GetGrain<INationalGrain>(INationalGrain.Key), u => Figures(u, Proto.CapacityScope.National), request.AfterVersion, responseStream, context);
    }

    public override Task WatchIncident(Proto.WatchIncidentRequest request, IServerStreamWriter<Proto.IncidentUpdate> responseStream, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        context.Caller().ReaderOf(IncidentIds.District(incidentId));
        return Stream($"incident:{incidentId}", () => grains.GetGrain<IIncidentGrain>(incidentId),
            u => new Proto.IncidentUpdate { Version = u.Version, Incident = u.Incident!.ToApi() }, request.AfterVersion, responseStream, context);
    }

    private async Task Stream<TMessage>(
        string topic, Func<IDashboardSource> source, Func<DashboardUpdate, TMessage> toApi, string afterVersion,
        IServerStreamWriter<TMessage> responseStream, ServerCallContext context)
    {
        await using var viewer = await hub.JoinAsync(topic, source);
        var last = viewer.Current;

        // A client that reconnects with the version it last saw is not sent the same picture again.
        if (last.Version != afterVersion)
        {
            await responseStream.WriteAsync(toApi(last), context.CancellationToken);
        }

        try
        {
            await foreach (var update in viewer.ReadAllAsync(context.CancellationToken))
            {
                if (!DashboardHub.Newer(update, last))
                {
                    continue;
                }

                last = update;
                await responseStream.WriteAsync(toApi(update), context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The viewer hung up: its place in the hub is given back by the using above.
        }
    }

    private static Proto.CapacityUpdate Figures(DashboardUpdate update, Proto.CapacityScope scope) =>
        new() { Version = update.Version, Capacity = update.Figures!.ToApi(scope) };
}
