using Coordination.Gateway.Services;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway;

public static class GatewayHosting
{
    /// <summary>
    /// The gRPC gateway's services and endpoints. It needs an <see cref="IGrainFactory"/> in the
    /// container: the co-hosted silo's, or an Orleans client's when the gateway runs alone.
    /// </summary>
    public static WebApplicationBuilder AddCoordinationGateway(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(Hosting.GatewayOptions.Section).Get<Hosting.GatewayOptions>() ?? new Hosting.GatewayOptions();
        builder.Services.Configure<Hosting.GatewayOptions>(builder.Configuration.GetSection(Hosting.GatewayOptions.Section));

        var grpc = Hosting.GatewayOptions.Parse(options.GrpcEndpoint, nameof(options.GrpcEndpoint));
        var http = Hosting.GatewayOptions.Parse(options.HttpEndpoint, nameof(options.HttpEndpoint));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC without TLS needs an HTTP/2-only endpoint (no protocol negotiation without ALPN).
            kestrel.Listen(grpc, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(http, listen => listen.Protocols = HttpProtocols.Http1);
        });

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Hosting.ErrorMapping>();
        builder.Services.AddGrpc(grpcOptions =>
        {
            grpcOptions.Interceptors.Add<Hosting.ErrorMapping>();
            grpcOptions.EnableDetailedErrors = false;
        });
        if (options.EnableReflection)
        {
            builder.Services.AddGrpcReflection();
        }

        builder.Services.AddGrpcHealthChecks().AddCheck<Hosting.ClusterHealthCheck>("cluster");
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }

    public static WebApplication MapCoordinationGateway(this WebApplication app)
    {
        app.MapGrpcService<CompanyApi>();
        app.MapGrpcService<PoliceApi>();
        app.MapGrpcHealthChecksService();
        app.MapHealthChecks("/healthz");
        if (app.Services.GetRequiredService<IOptions<Hosting.GatewayOptions>>().Value.EnableReflection)
        {
            app.MapGrpcReflectionService();
        }

        app.MapGet("/", () => Results.Text("Coordination gateway. gRPC (HTTP/2) on the gRPC port; health at /healthz.\n"));
        return app;
    }

    /// <summary>Says where the process listens once Kestrel has bound (ports chosen at run time included).</summary>
    private sealed class StartupReport(IServer server, IHostApplicationLifetime lifetime, ILogger<StartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                logger.LogInformation("Coordination gateway listening on {Addresses} (gRPC on the HTTP/2 endpoint, health and web on the HTTP/1.1 one)", string.Join(", ", addresses));
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
