using System.Net;
using Coordination.Silo.Grains;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Coordination.Silo.Hosting;

public static class SiloHosting
{
    /// <summary>Adds a single-node Orleans silo with this project's grains and durable storage.</summary>
    public static IHostApplicationBuilder AddCoordinationSilo(this IHostApplicationBuilder builder)
    {
        var orleans = builder.Configuration.GetSection(OrleansOptions.Section).Get<OrleansOptions>() ?? new OrleansOptions();
        var storage = builder.Configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();

        builder.Services.Configure<UnitOptions>(builder.Configuration.GetSection(UnitOptions.Section));
        builder.Services.Configure<OfferOptions>(builder.Configuration.GetSection(OfferOptions.Section));

        // Bound once, checked before anything starts: a setting the cluster cannot work with stops the
        // process with a message naming it, rather than surfacing later as a silo that is never voted out.
        builder.Services.AddOptions<FailureDetectionOptions>()
            .Bind(builder.Configuration.GetSection(FailureDetectionOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FailureDetectionOptions>, FailureDetectionOptions.Validator>();

        builder.UseOrleans(silo =>
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
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = storage.PostgresConnectionString;
                });
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = storage.PostgresConnectionString;
                });

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

    /// <summary>What the grains need besides storage: a clock, and the warm-up that rebuilds capacity at start.</summary>
    public static ISiloBuilder AddCoordinationGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CapacityWarmUp>();
        silo.AddIncomingGrainCallFilter<Security.CallerAuthorizationFilter>();
        silo.AddIncomingGrainCallFilter<FaultedActivationFilter>();
        silo.AddOutgoingGrainCallFilter<Security.GrainToGrainCallFilter>();
        return silo;
    }

    private static Audit.IAuditStore Layered(IServiceProvider sp, Audit.IAuditStore store) =>
        sp.GetService<Audit.AuditStoreLayer>() is { } layer ? layer.Around(store) : store;

    /// <summary>The ADO.NET invariant name of Npgsql, by which Orleans' providers load it.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The grain storage every grain uses, with Orleans' own version-tolerant binary format, and the audit log's store.
    /// Whatever the provider, it is wrapped in <see cref="InStepGrainStorage"/>, so a failed write never stays in a
    /// grain's memory. A <see cref="GrainStorageLayer"/> in the services (the fault tests add one) goes between the two.
    /// </summary>
    public static ISiloBuilder AddCoordinationStorage(this ISiloBuilder silo, StorageOptions storage)
    {
        // Typed as the wrapper: Orleans lets a storage take part in the silo lifecycle only when the factory's type says it can.
        static InStepGrainStorage InStep(IServiceProvider sp, IGrainStorage provider) => new(
            sp.GetService<GrainStorageLayer>() is { } layer ? layer.Around(provider) : provider,
            sp.GetRequiredService<IGrainContextAccessor>(),
            sp.GetRequiredService<StorageHealth>(),
            sp.GetRequiredService<ILogger<InStepGrainStorage>>(),
            sp.GetService<WriteFence>());

        silo.Services.AddSingleton(sp => new StorageHealth(storage, sp, sp.GetRequiredService<ILogger<StorageHealth>>()));

        if (storage.Provider == StorageProvider.PostgreSql)
        {
            // Orleans' own ADO.NET storage, reads and writes, on the project's PostgreSQL schema.
            silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Grains)
                .Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = PostgresInvariant;
                    o.ConnectionString = storage.PostgresConnectionString;
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                });
            silo.Services.AddGrainStorage(StorageNames.Grains, (sp, name) => InStep(sp, AdoNetGrainStorageFactory.Create(sp, name)));
            silo.Services.AddSingleton(_ => Npgsql.NpgsqlDataSource.Create(storage.PostgresConnectionString));

            // Other silos can declare this one dead while it stands still: a stall of one probe timeout
            // (the least that can start a suspicion) makes the next write check membership first.
            silo.Services.AddSingleton(sp => new WriteFence(
                sp.GetRequiredService<IClusterMembershipService>(),
                sp.GetRequiredService<ILocalSiloDetails>(),
                sp.GetRequiredService<IOptions<FailureDetectionOptions>>().Value.ProbeTimeout,
                sp.GetRequiredService<ILogger<WriteFence>>()));
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new PostgresSchemaInitializer(
                sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<ILogger<PostgresSchemaInitializer>>()));
            silo.Services.AddSingleton(sp => Layered(sp, new Audit.PostgresAuditStore(sp.GetRequiredService<Npgsql.NpgsqlDataSource>())));
            return silo;
        }

        silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Grains)
            .Configure<Serializer>((o, serializer) =>
            {
                // "System.Data.SQLite" is the invariant the provider knows; it loads Microsoft.Data.Sqlite.
                o.Invariant = "System.Data.SQLite";
                o.ConnectionString = storage.SqliteConnectionString;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            });

        // Orleans' ADO.NET storage reads; its writes, and the audit log's, are group-committed by one writer (see SqliteCommitter).
        silo.Services.AddSingleton(sp => new SqliteCommitter(storage, sp.GetRequiredService<ILogger<SqliteCommitter>>()));
        silo.Services.AddGrainStorage(StorageNames.Grains, (sp, name) => InStep(sp, new GroupCommitGrainStorage(
            AdoNetGrainStorageFactory.Create(sp, name),
            sp.GetRequiredService<SqliteCommitter>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(name).GrainStorageSerializer,
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterOptions>>().Value.ServiceId)));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new SqliteSchemaInitializer(storage, sp.GetRequiredService<ILogger<SqliteSchemaInitializer>>()));
        silo.Services.AddSingleton(sp => Layered(sp, new Audit.SqliteAuditStore(storage, sp.GetRequiredService<SqliteCommitter>())));
        return silo;
    }
}
