using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Persistence;

/// <summary>Applies the schema early in silo start, before any storage provider reads its queries.</summary>
internal sealed class SqliteSchemaInitializer(StorageOptions options, ILogger<SqliteSchemaInitializer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<SqliteSchemaInitializer>(ServiceLifecycleStage.RuntimeInitialize, _ =>
        {
            SqliteSchema.Apply(options, logger);
            return Task.CompletedTask;
        });
}

/// <summary>
/// Applies the shared PostgreSQL schema first thing in silo start: the membership table is read
/// as early as runtime initialisation, and every provider reads its queries from the database.
/// </summary>
internal sealed class PostgresSchemaInitializer(Npgsql.NpgsqlDataSource database, ILogger<PostgresSchemaInitializer> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<PostgresSchemaInitializer>(ServiceLifecycleStage.First, cancellationToken => PostgresSchema.ApplyAsync(database, logger, cancellationToken));
}
