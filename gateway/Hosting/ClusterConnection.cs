using System.Net;
using Coordination.Gateway.Hosting;
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

    /// <summary>The silos' gateway endpoints, already checked by <see cref="Validator"/>.</summary>
    public IPEndPoint[] GatewayEndpoints() =>
        [.. (Gateways.Length > 0 ? Gateways : ["127.0.0.1:30000"]).Select(IPEndPoint.Parse)];

    /// <summary>Refuses at start what the gateway cannot work with, naming the setting.</summary>
    public sealed class Validator : IValidateOptions<ClusterConnectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, ClusterConnectionOptions o)
        {
            var checks = new SettingChecks(Section)
                .Required(o.ClusterId)
                .Required(o.ServiceId)
                .Positive(o.ResponseTimeout)
                .Positive(o.GatewayListRefreshPeriod);
            for (var i = 0; i < o.Gateways.Length; i++)
            {
                checks.Endpoint(o.Gateways[i], $"{nameof(Gateways)}:{i}");
            }

            return checks.Result;
        }
    }
}

public static class ClusterConnection
{
    /// <summary>
    /// The Orleans client of a stand-alone gateway. Its settings are read when the client starts, after
    /// they were checked; only the choice between the membership table and fixed silos is made here.
    /// </summary>
    public static WebApplicationBuilder AddClusterConnection(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ClusterConnectionOptions, ClusterConnectionOptions.Validator>(ClusterConnectionOptions.Section);
        var membership = builder.Configuration[$"{ClusterConnectionOptions.Section}:{nameof(ClusterConnectionOptions.MembershipConnectionString)}"];
        builder.UseOrleansClient(client =>
        {
            client.Services.AddOptions<Orleans.Configuration.ClusterOptions>()
                .Configure<IOptions<ClusterConnectionOptions>>((o, settings) =>
                {
                    o.ClusterId = settings.Value.ClusterId;
                    o.ServiceId = settings.Value.ServiceId;
                });
            client.Services.AddOptions<Orleans.Configuration.ClientMessagingOptions>()
                .Configure<IOptions<ClusterConnectionOptions>>((o, settings) => o.ResponseTimeout = settings.Value.ResponseTimeout);
            client.Services.AddOptions<Orleans.Configuration.GatewayOptions>()
                .Configure<IOptions<ClusterConnectionOptions>>((o, settings) => o.GatewayListRefreshPeriod = settings.Value.GatewayListRefreshPeriod);
            if (!string.IsNullOrWhiteSpace(membership))
            {
                // Silos come and go; the client follows the membership table and reconnects to the live ones.
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = membership;
                });
            }
            else
            {
                client.UseStaticClustering(gateways => gateways.Configure<IOptions<ClusterConnectionOptions>>((o, settings) =>
                    o.Gateways = [.. settings.Value.GatewayEndpoints().Select(Orleans.Runtime.Utils.ToGatewayUri)]));
            }

            if (builder.Configuration.GetValue(GatewayHosting.OrleansDashboardSetting, true))
            {
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(client);
            }
        });
        return builder;
    }
}
