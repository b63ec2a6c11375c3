using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Creates and upgrades the PostgreSQL database that a cluster's silos share, before Orleans'
/// providers read their queries. Every silo runs this at start; a transaction-scoped advisory lock
/// lets one apply the scripts while the others wait and then find them applied.
/// </summary>
public static class PostgresSchema
{
    // Any fixed number: the lock is only taken by this code.
    private const long SchemaLock = 0x436f6f7264; // "Coord"

    public static async Task ApplyAsync(NpgsqlDataSource database, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({SchemaLock});", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS CoordinationSchema (Version integer NOT NULL PRIMARY KEY, Script text NOT NULL, AppliedOn timestamptz NOT NULL DEFAULT now());", cancellationToken);

        await using var current = new NpgsqlCommand("SELECT COALESCE(MAX(Version), 0) FROM CoordinationSchema;", connection);
        var applied = (int)(await current.ExecuteScalarAsync(cancellationToken))!;
        foreach (var (version, name, sql) in SchemaScripts.For("postgresql").Where(s => s.Version > applied))
        {
            await ExecuteAsync(connection, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO CoordinationSchema (Version, Script) VALUES ($1, $2);", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
            await record.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Applied database script {Script}", name);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("PostgreSQL database {Database} on {Host} ready", connection.Database, connection.Host);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
