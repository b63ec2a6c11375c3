using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Dashboards over gRPC: read-only streams of live pictures, fanned out by the <see cref="DashboardHub"/>.</summary>
internal sealed class DashboardApi(DashboardFeeds feeds) : Proto.DashboardService.DashboardServiceBase
{
    public override async Task WatchDistrict(Proto.WatchDistrictRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context) =>
        await Send(await feeds.District(context.Caller(), request.DistrictId), request.AfterVersion, responseStream, context);

    public override async Task WatchNational(Proto.WatchNationalRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context) =>
        await Send(await feeds.National(context.Caller()), request.AfterVersion, responseStream, context);

    public override async Task WatchIncident(Proto.WatchIncidentRequest request, IServerStreamWriter<Proto.IncidentUpdate> responseStream, ServerCallContext context) =>
        await Send(await feeds.Incident(context.Caller(), request.IncidentId), request.AfterVersion, responseStream, context);

    private static async Task Send<TMessage>(Feed<TMessage> feed, string afterVersion, IServerStreamWriter<TMessage> responseStream, ServerCallContext context)
    {
        await using var viewer = feed;
        try
        {
            await foreach (var message in feed.ReadAllAsync(afterVersion, context.CancellationToken))
            {
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The viewer hung up: its place in the hub is given back when the feed ends.
        }
    }
}
