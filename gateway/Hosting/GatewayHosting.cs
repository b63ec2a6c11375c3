using Coordination.Gateway.Hosting;
using Coordination.Gateway.Security;
using Coordination.Gateway.Services;
using Coordination.Gateway.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordination.Gateway;

/// <summary>The gRPC gateway's wiring, one concern per call; each lives in a file of its own.</summary>
public static class GatewayHosting
{
    /// <summary>Whether the Orleans dashboard runs (silo side) and is served to operators (gateway side).</summary>
    public const string OrleansDashboardSetting = "Coordination:Orleans:Dashboard";

    public const string OrleansDashboardPath = "/orleans";

    /// <summary>
    /// The gRPC gateway's services and endpoints. It needs an <see cref="IGrainFactory"/> in the
    /// container: the co-hosted silo's, or an Orleans client's when the gateway runs alone.
    /// </summary>
    public static WebApplicationBuilder AddCoordinationGateway(this WebApplicationBuilder builder)
    {
        // The settings that decide the wiring itself; every section is checked again at start.
        var gateway = builder.AddCheckedOptions<GatewayOptions, GatewayOptions.Validator>(GatewayOptions.Section);
        var tls = builder.AddCheckedOptions<TlsOptions, TlsOptions.Validator>(TlsOptions.Section);
        var auth = builder.AddCheckedOptions<AuthOptions, AuthOptions.Validator>(AuthOptions.Section);
        builder.AddValidatedOptions<LimitsOptions, LimitsOptions.Validator>(LimitsOptions.Section);

        // Shared by the gRPC API and the web dashboard's event streams.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CallerRateLimiter>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddSingleton<DashboardHub>();
        builder.Services.AddSingleton<DashboardFeeds>();

        return builder
            .AddGatewayListeners(gateway, tls)
            .AddCoordinationAuthentication(auth, tls)
            .AddCoordinationGrpc(gateway.Reflection)
            .AddGatewayHealth()
            .AddWebDashboard()
            .AddStartupReport();
    }

    public static WebApplication MapCoordinationGateway(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app
            .MapCoordinationGrpc()
            .MapGatewayHealth()
            .MapWebDashboard();
    }
}
