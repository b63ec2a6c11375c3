using System.Net;
using Coordination.Gateway.Hosting;
using Coordination.Silo.Grains;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Coordination.Silo.Hosting;

public static class SiloHosting
{
    /// <summary>Adds a single-node Orleans silo with this project's grains and durable storage.</summary>
    public static IHostApplicationBuilder AddCoordinationSilo(this IHostApplicationBuilder builder)
    {
        // Bound once and checked before anything starts: a setting the silo cannot work with stops the
        // process with a message naming it, rather than failing the first call that reads it. The two
        // sections that decide the wiring itself (which storage, which ports) are checked already here.
        var orleans = builder.AddCheckedOptions<OrleansOptions, OrleansOptions.Validator>(OrleansOptions.Section);
        var storage = builder.AddCheckedOptions<StorageOptions, StorageOptions.Validator>(StorageOptions.Section);
        builder.AddValidatedOptions<UnitOptions, UnitOptions.Validator>(UnitOptions.Section);
        builder.AddValidatedOptions<OfferOptions, OfferOptions.Validator>(OfferOptions.Section);
        builder.AddValidatedOptions<BulletinOptions, BulletinOptions.Validator>(BulletinOptions.Section);
        builder.AddValidatedOptions<ObservationOptions, ObservationOptions.Validator>(ObservationOptions.Section);
        builder.AddValidatedOptions<FailureDetectionOptions, FailureDetectionOptions.Validator>(FailureDetectionOptions.Section);

        builder.UseOrleans(silo =>
        {
            silo.AddCoordinationMembership(orleans, storage);
            silo.AddCoordinationStorage(storage);
            silo.AddCoordinationGrains();

            // Grain and silo statistics for operators, served by the gateway behind the operator role.
            if (builder.Configuration.GetValue(Gateway.GatewayHosting.OrleansDashboardSetting, true))
            {
                Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
            }
        });

        return builder;
    }

    /// <summary>
    /// How this silo finds the others and is found: the membership table and durable reminders in a
    /// cluster (PostgreSQL), itself alone on a single node; its ports and address either way.
    /// </summary>
    private static void AddCoordinationMembership(this ISiloBuilder silo, OrleansOptions orleans, StorageOptions storage)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = orleans.ClusterId;
            o.ServiceId = orleans.ServiceId;
        });

        var address = IPAddress.Parse(orleans.Address);
        if (storage.Provider == StorageProvider.PostgreSql)
        {
            // A cluster: silos find each other (and gateways find silos) in the membership table
            // that they share; reminders live there too, so a deadline outlives the silo that set it.
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = StorageHosting.PostgresInvariant;
                o.ConnectionString = storage.PostgresConnectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = StorageHosting.PostgresInvariant;
                o.ConnectionString = storage.PostgresConnectionString;
            });

            silo.AddCoordinationDirectory(orleans.GrainDirectory);

            // Orleans' defaults let a frozen silo keep its grains for over a minute, with every call to
            // them hanging until the clients gave up; see FailureDetectionOptions and the README.
            silo.Services.AddOptions<ClusterMembershipOptions>()
                .Configure<IOptions<FailureDetectionOptions>>((o, detection) => detection.Value.ApplyTo(o));
            silo.Services.AddOptions<SiloMessagingOptions>()
                .Configure<IOptions<FailureDetectionOptions>>((o, detection) => o.ResponseTimeout = detection.Value.ResponseTimeout);
        }
        else
        {
            // One silo: it is its own membership. Its reminders need not outlive it: at start the
            // districts wake every open incident, which re-arms their deadlines from grain state.
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
            silo.UseInMemoryReminderService();
        }

        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = address;
            o.SiloPort = orleans.SiloPort;
            o.GatewayPort = orleans.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(address, orleans.SiloPort);
            o.GatewayListeningEndpoint = new IPEndPoint(address, orleans.GatewayPort);
        });
        if (orleans.MinimumReminderPeriod is { } minimum)
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimum);
        }
    }

    /// <summary>
    /// The grain directory of a cluster (<see cref="OrleansOptions.GrainDirectory"/>); the test clusters
    /// that kill and add silos use it too, so they exercise what a cluster runs.
    /// </summary>
    public static ISiloBuilder AddCoordinationDirectory(this ISiloBuilder silo, GrainDirectoryKind kind)
    {
        if (kind != GrainDirectoryKind.Consistent)
        {
            return silo;
        }

        // Orleans' default directory, when a silo left, deactivated every grain on the silos that
        // stayed whose entry the leaver held: half of them with two silos (34,583 activations in the
        // benchmark), so districts rebuilt their figures from thousands of units just as the
        // cluster lost capacity; and a silo that had just joined could start a second activation of
        // a grain alive elsewhere. This one hands ranges over under locks (SiloChangeTests). Orleans
        // marks it experimental, hence the setting to go back (OrleansOptions.GrainDirectory).
#pragma warning disable ORLEANSEXP003
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003

        // By default it keeps a dead silo's grains from starting anywhere else for 30 s after the
        // failure, in case the silo still runs: a frozen silo's grains answered again only after
        // 31 s (FrozenSiloTests, bound 20 s). Here a silo that still runs cannot do harm: the
        // store's versions refuse a stale activation's writes, and a silo told it is dead stops
        // without writing. So the grains come back as soon as the silo is declared dead.
        silo.Configure<GrainDirectoryOptions>(o => o.RangeLeaseDuration = TimeSpan.Zero);
        return silo;
    }

    /// <summary>What the grains need besides storage: a clock, the silo's writer of start records, and the warm-up that rebuilds capacity at start.</summary>
    public static ISiloBuilder AddCoordinationGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<Audit.StartRecords>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CapacityWarmUp>();
        silo.AddIncomingGrainCallFilter<Security.CallerAuthorizationFilter>();
        silo.AddIncomingGrainCallFilter<FaultedActivationFilter>();
        silo.AddOutgoingGrainCallFilter<Security.GrainToGrainCallFilter>();
        return silo;
    }
}
