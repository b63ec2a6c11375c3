using Coordination.Api.V1;
using Coordination.Gateway;
using Grpc.Net.Client;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>The gateway in its own host, reaching the silo as an Orleans client over TCP.</summary>
public sealed class StandaloneGatewayTests
{
    [Fact]
    public async Task A_separate_gateway_serves_the_same_api_from_the_same_silo()
    {
        using var data = new TempDirectory();
        var orleansGateway = Ports.Free();
        await using var node = await RunningNode.StartAsync(data.Path, $"--Coordination:Orleans:GatewayPort={orleansGateway}");
        var grpcPort = Ports.Free();
        await using var gateway = StandaloneGateway.Build(
        [
            $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{grpcPort}",
            $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Cluster:Gateways:0=127.0.0.1:{orleansGateway}",
            $"--Coordination:Auth:DevelopmentKeyFile={TestTokens.KeyFile(data.Path)}",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await gateway.StartAsync();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var company = node.Tokens.CompanyClient(channel);

        await company.RegisterUnitsAsync(Register("remote-co", Unit("u1", 3, "innlandet", "escort")));
        await company.ReportUnitAsync(Report("remote-co", "u1", UnitStatus.Available));

        // Written through one gateway, read through the other: the state is in the silo only.
        var seenByNode = await node.Police.GetCapacityAsync(District("innlandet"));
        Assert.Equal(3, seenByNode.For("escort").AvailableGuards);
        await gateway.StopAsync();
    }
}
