using Coordination.Silo.Grains;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Coordination.Silo.Hosting;

/// <summary>Where grain state and the audit log are kept: one SQLite file on a single node, PostgreSQL in a cluster.</summary>
public static class StorageHosting
{
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
                    o.GrainStorageSerializer = new ExactSizeGrainStorageSerializer(serializer);
                });
            // Its writes are group-committed by a few writers (see PostgresStateWriter).
            silo.Services.AddSingleton(_ => Npgsql.NpgsqlDataSource.Create(storage.PostgresConnectionString));
            silo.Services.AddSingleton(sp => new PostgresStateWriter(
                sp.GetRequiredService<Npgsql.NpgsqlDataSource>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                sp.GetRequiredService<ILogger<PostgresStateWriter>>()));
            silo.Services.AddGrainStorage(StorageNames.Grains, (sp, name) => InStep(sp, GroupCommitted(sp, name, sp.GetRequiredService<PostgresStateWriter>())));

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
                o.GrainStorageSerializer = new ExactSizeGrainStorageSerializer(serializer);
            });

        // Orleans' ADO.NET storage reads; its writes, and the audit log's, are group-committed by one writer (see SqliteCommitter).
        silo.Services.AddSingleton(sp => new SqliteCommitter(storage, sp.GetRequiredService<ILogger<SqliteCommitter>>()));
        silo.Services.AddGrainStorage(StorageNames.Grains, (sp, name) => InStep(sp, GroupCommitted(sp, name, new SqliteStateWriter(
            sp.GetRequiredService<SqliteCommitter>(), sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId))));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new SqliteSchemaInitializer(storage, sp.GetRequiredService<ILogger<SqliteSchemaInitializer>>()));
        silo.Services.AddSingleton(sp => Layered(sp, new Audit.SqliteAuditStore(storage, sp.GetRequiredService<SqliteCommitter>())));
        return silo;
    }

    /// <summary>The stock provider for reads, its writes group-committed by <paramref name="writer"/>.</summary>
    private static GroupCommitGrainStorage GroupCommitted(IServiceProvider sp, string name, IStateWriter writer) => new(
        AdoNetGrainStorageFactory.Create(sp, name),
        writer,
        sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(name).GrainStorageSerializer,
        sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId);
}
