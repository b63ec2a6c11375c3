using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Dashboards over gRPC: read-only streams of live pictures, fanned out by the <see cref="DashboardHub"/>.</summary>
internal sealed class DashboardApi(DashboardFeeds feeds) : Proto.DashboardService.DashboardServiceBase
{
    public override Task WatchDistrict(Proto.WatchDistrictRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context) =>
        Send(feeds.District(context.Caller(), request.DistrictId, request.AfterVersion, context.CancellationToken), responseStream, context);

    public override Task WatchNational(Proto.WatchNationalRequest request, IServerStreamWriter<Proto.CapacityUpdate> responseStream, ServerCallContext context) =>
        Send(feeds.National(context.Caller(), request.AfterVersion, context.CancellationToken), responseStream, context);

    public override Task WatchIncident(Proto.WatchIncidentRequest request, IServerStreamWriter<Proto.IncidentUpdate> responseStream, ServerCallContext context) =>
        Send(feeds.Incident(context.Caller(), request.IncidentId, request.AfterVersion, context.CancellationToken), responseStream, context);

    private static async Task Send<TMessage>(IAsyncEnumerable<TMessage> feed, IServerStreamWriter<TMessage> responseStream, ServerCallContext context)
    {
        try
        {
            await foreach (var message in feed)
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
