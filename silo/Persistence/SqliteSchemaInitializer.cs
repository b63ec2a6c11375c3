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
