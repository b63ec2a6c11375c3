using Coordination.Gateway;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// A stand-alone gateway, as <c>dotnet run --project gateway</c> builds it, that finds the live silos in
/// a cluster's membership table, on free loopback ports, reached over a real channel.
/// </summary>
public sealed class StandaloneGatewayHost(WebApplication app, GrpcChannel channel) : IAsyncDisposable
{
    public GrpcChannel Channel => channel;

    public static async Task<StandaloneGatewayHost> StartAsync(TempDirectory data, string database)
    {
        var grpcPort = Ports.Free();
        var app = StandaloneGateway.Build(
        [
            $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{grpcPort}",
            $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Cluster:MembershipConnectionString={database}",
            $"--Coordination:Auth:DevelopmentKeyFile={TestTokens.KeyFile(data.Path)}",
            "--Coordination:Limits:RequestsPerSecond=100000",
            "--Coordination:Limits:Burst=100000",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await app.StartAsync();
        return new StandaloneGatewayHost(app, GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}"));
    }

    public async ValueTask DisposeAsync()
    {
        channel.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
