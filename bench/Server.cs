using Coordination.Bench.Noop;
using Coordination.Domain;
using Coordination.Silo.Hosting;
using Grpc.Core;

namespace Coordination.Bench;

/// <summary>
/// The system under test: the single node exactly as `dotnet run --project silo` builds it, plus the
/// no-op gRPC baseline and diagnostics endpoints (full GC, then working set; counters for the per-request profile) on the HTTP port.
/// </summary>
internal static class Server
{
    public static async Task<int> RunAsync(string[] args)
    {
        var counters = new ServerCounters();
        var app = SingleNode.Build(args, services => services.AddSingleton<IIncomingGrainCallFilter>(counters));
        app.MapGrpcService<NoopService>();
        app.MapGrpcService<AuthenticatedNoopService>().RequireAuthorization();
        app.MapGet("/bench/memory", () =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return Results.Json(new { workingSet = process.WorkingSet64, managedHeap = GC.GetTotalMemory(false) });
        });
        app.MapGet("/bench/counters", () => Results.Json(counters.Snapshot()));
        await app.RunAsync();
        counters.Dispose();
        return 0;
    }

    private sealed class NoopService : Noop.Noop.NoopBase
    {
        private static readonly PingReply Reply = new();

        public override Task<PingReply> Ping(PingRequest request, ServerCallContext context) => Task.FromResult(Reply);
    }

    private sealed class AuthenticatedNoopService(IGrainFactory grains) : Noop.AuthenticatedNoop.AuthenticatedNoopBase
    {
        private static readonly PingReply Reply = new();

        public override Task<PingReply> Ping(PingRequest request, ServerCallContext context) => Task.FromResult(Reply);

        public override async Task<PingReply> Read(PingRequest request, ServerCallContext context)
        {
            // The gateway's interceptor put the caller in the request context, as for ReportUnit.
            var company = (RequestContext.Get(CallerContext.CallerKey) as Caller)?.CompanyId
                ?? throw new RpcException(new Status(StatusCode.PermissionDenied, "a company token is needed"));
            _ = await grains.Reference<IGuardUnitGrain>(UnitKey.Of(company, request.UnitId)).Get()
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"unit {request.UnitId} is not registered"));
            return Reply;
        }
    }
}
