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

    /// <summary>
    /// How long a call waits for the silo that answers it. Well below the clients' deadlines (10 s for
    /// the project's clients): a call routed to a silo that stopped answering fails as UNAVAILABLE in
    /// time for the client to retry, and the retry reaches the grain on a live silo (Orleans' default is 30 s).
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the gateway re-reads which silos are alive. Calls are spread over the silos' gateway
    /// ports; one that stopped answering keeps its connection open (a frozen process does not close
    /// sockets), so only this re-read takes it out of the rotation (Orleans' default is a minute).
    /// </summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Refuses at start what the gateway cannot work with, naming the setting.</summary>
    public sealed class Validator : IValidateOptions<ClusterConnectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, ClusterConnectionOptions o)
        {
            var failures = new List<string>();
            if (o.ResponseTimeout <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{nameof(ResponseTimeout)} must be a positive time span such as 00:00:05 (was {o.ResponseTimeout}).");
            }

            if (o.GatewayListRefreshPeriod <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{nameof(GatewayListRefreshPeriod)} must be a positive time span such as 00:00:02 (was {o.GatewayListRefreshPeriod}).");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
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

        // Checked before the Orleans client connects: a setting it cannot use stops the process naming it.
        builder.Services.AddOptions<ClusterConnectionOptions>().Bind(builder.Configuration.GetSection(ClusterConnectionOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClusterConnectionOptions>, ClusterConnectionOptions.Validator>();
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            client.Services.AddOptions<Orleans.Configuration.ClientMessagingOptions>()
                .Configure<IOptions<ClusterConnectionOptions>>((o, settings) => o.ResponseTimeout = settings.Value.ResponseTimeout);
            client.Services.AddOptions<Orleans.Configuration.GatewayOptions>()
                .Configure<IOptions<ClusterConnectionOptions>>((o, settings) => o.GatewayListRefreshPeriod = settings.Value.GatewayListRefreshPeriod);
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
