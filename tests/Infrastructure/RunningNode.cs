using Coordination.Api.V1;
using Coordination.Silo.Hosting;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// The single-node system exactly as <c>dotnet run --project silo</c> builds it (silo, gateway,
/// SQLite file), on free loopback ports, reached over a real HTTP/2 gRPC channel.
/// </summary>
public sealed class RunningNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningNode(WebApplication app, int grpcPort, int httpPort, string dataDirectory)
    {
        _app = app;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        DataDirectory = dataDirectory;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Tokens = new TestTokens(dataDirectory);
        Company = Tokens.CompanyClient(Channel);
        Police = Tokens.PoliceClient(Channel);
    }

    /// <summary>Mints tokens with this node's development key.</summary>
    public TestTokens Tokens { get; }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string DataDirectory { get; }
    public GrpcChannel Channel { get; }
    /// <summary>A company client that presents, with each call, a token for the company the request names.</summary>
    public CompanyService.CompanyServiceClient Company { get; }

    /// <summary>A police client with a national token (the Police Directorate, subject "pod").</summary>
    public PoliceService.PoliceServiceClient Police { get; }

    public IServiceProvider Services => _app.Services;

    public CompanyService.CompanyServiceClient CompanyAs(string companyId) => new(Channel.Intercept(TestTokens.Bearer(Tokens.Company(companyId))));

    public PoliceService.PoliceServiceClient PoliceWith(string token) => new(Channel.Intercept(TestTokens.Bearer(token)));

    public CompanyService.CompanyServiceClient CompanyWith(string token) => new(Channel.Intercept(TestTokens.Bearer(token)));

    public static string[] Arguments(string dataDirectory, int grpcPort, int httpPort, params string[] extra) =>
    [
        $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{grpcPort}",
        $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{httpPort}",
        $"--Coordination:Storage:DataDirectory={dataDirectory}",
        $"--Coordination:Auth:DevelopmentKeyFile={TestTokens.KeyFile(dataDirectory)}",
        "--Coordination:Limits:RequestsPerSecond=100000",
        "--Coordination:Limits:Burst=100000",
        $"--Coordination:Orleans:SiloPort={Ports.Free()}",
        $"--Coordination:Orleans:GatewayPort={Ports.Free()}",
        "--Logging:LogLevel:Default=Warning",
        .. extra,
    ];

    public static Task<RunningNode> StartAsync(string dataDirectory, params string[] extra) => StartAsync(dataDirectory, null, extra);

    /// <summary>With <paramref name="services"/> a test adds to the node's services (a <see cref="StorageFaults"/> layer, say).</summary>
    public static async Task<RunningNode> StartAsync(string dataDirectory, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services, params string[] extra)
    {
        var grpcPort = Ports.Free();
        var httpPort = Ports.Free();
        var app = SingleNode.Build(Arguments(dataDirectory, grpcPort, httpPort, extra), services);
        await app.StartAsync();
        return new RunningNode(app, grpcPort, httpPort, dataDirectory);
    }

    private bool _disposed;

    /// <summary>Stops the node (gracefully: grains hand over, as when an operator stops a silo). Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Tokens.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
