using Microsoft.Extensions.Options;

namespace Coordination.Gateway;

/// <summary>Configuration section <c>Coordination:Cluster</c>: how a stand-alone gateway finds the silos.</summary>
public sealed class ClusterConnectionOptions
{
    public const string Section = "Coordination:Cluster";

    public string ClusterId { get; set; } = "coordination";
    public string ServiceId { get; set; } = "coordination";

    /// <summary>
    /// The silos' Orleans gateway endpoints (host:port); empty means one silo on this machine at
    /// 127.0.0.1:30000. (Not a default list: the configuration binder would append to it.)
    /// </summary>
    public string[] Gateways { get; set; } = [];

    /// <summary>
    /// The cluster's PostgreSQL database (Npgsql connection string). When set, the gateway reads the
    /// live silos from the membership table the silos keep there, and <see cref="Gateways"/> is not used.
    /// </summary>
    public string? MembershipConnectionString { get; set; }
}

/// <summary>
/// A stateless gateway process: the same gRPC API, connected to the silos as an Orleans client.
/// Run several behind a load balancer; the silos hold all the state.
/// </summary>
public static class StandaloneGateway
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var cluster = builder.Configuration.GetSection(ClusterConnectionOptions.Section).Get<ClusterConnectionOptions>() ?? new ClusterConnectionOptions();
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (!string.IsNullOrWhiteSpace(cluster.MembershipConnectionString))
            {
                // Silos come and go; the client follows the membership table and reconnects to the live ones.
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = cluster.MembershipConnectionString;
                });
            }
            else
            {
                var gateways = (cluster.Gateways.Length > 0 ? cluster.Gateways : ["127.0.0.1:30000"]).Select(g => Hosting.GatewayOptions.Parse(g, "Cluster:Gateways")).ToArray();
                client.UseStaticClustering(gateways);
            }

            if (builder.Configuration.GetValue(GatewayHosting.OrleansDashboardSetting, true))
            {
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(client);
            }
        });
        builder.AddCoordinationGateway();

        var app = builder.Build();
        app.MapCoordinationGateway();
        return app;
    }
}
