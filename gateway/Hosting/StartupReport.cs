using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Hosting;

/// <summary>Says where the process listens once Kestrel has bound (ports chosen at run time included), and which keys it trusts.</summary>
internal sealed class StartupReport(IServer server, IHostApplicationLifetime lifetime, SigningKeyReport keys, IOptions<GatewayOptions> options, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            logger.LogInformation("Coordination gateway listening on {Addresses} (gRPC on the HTTP/2 endpoint, health and web on the HTTP/1.1 one)", string.Join(", ", addresses));
            if (keys.DevelopmentKeyFile is { } file)
            {
                logger.LogWarning("No signing keys configured: trusting the DEVELOPMENT key {File}. Mint a token with: dotnet run --project cli -- token --role police --district oslo", file);
                LogDashboardLink(file);
            }
            else
            {
                logger.LogInformation("Trusting {Keys} configured token signing key(s)", keys.Keys);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// With the development key only: a link that signs a browser in as a national viewer for
    /// 12 hours. The token rides in the fragment, which browsers never send to a server.
    /// </summary>
    private void LogDashboardLink(string keyFile)
    {
        var http = GatewayOptions.Parse(options.Value.HttpEndpoint, nameof(GatewayOptions.HttpEndpoint));
        if (http.Port == 0)
        {
            return;
        }

        using var signer = Api.DevelopmentTokens.Load(keyFile);
        var token = signer.Mint("development-dashboard", "viewer", national: true, issuer: keys.Issuer, audience: keys.Audience);
        logger.LogInformation("Web dashboard (development key, national viewer for 12 h): http://{Endpoint}/#token={Token}", http, token);
    }
}

public static class StartupReporting
{
    public static WebApplicationBuilder AddStartupReport(this WebApplicationBuilder builder)
    {
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }
}
