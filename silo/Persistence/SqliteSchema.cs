using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Creates and upgrades the SQLite database before Orleans' storage provider reads its queries:
/// the Orleans packages ship no schema, so the project owns its own, applied in order and recorded.
/// </summary>
public static class SqliteSchema
{
    public static void Apply(StorageOptions options, ILogger logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(options.SqliteFile)!);
        var fresh = !File.Exists(options.SqliteFile);
        using var connection = new SqliteConnection(options.SqliteConnectionString);
        connection.Open();

        // WAL lets readers run beside the one writer and makes each commit one append; the setting
        // is stored in the file. synchronous stays FULL: an acknowledged write survives power loss.
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute(connection, "CREATE TABLE IF NOT EXISTS CoordinationSchema (Version INTEGER NOT NULL PRIMARY KEY, Script TEXT NOT NULL, AppliedOn TEXT NOT NULL);");

        // One transaction that takes the write lock first (BEGIN IMMEDIATE): when several silos start
        // on one file at once, one applies the scripts and the others then find them applied.
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            using var current = connection.CreateCommand();
            current.Transaction = transaction;
            current.CommandText = "SELECT IFNULL(MAX(Version), 0) FROM CoordinationSchema;";
            var applied = Convert.ToInt32(current.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (version, name, sql) in SchemaScripts.For("sqlite").Where(s => s.Version > applied))
            {
                Execute(connection, sql, transaction);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO CoordinationSchema (Version, Script, AppliedOn) VALUES ($v, $s, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));";
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$s", name);
                record.ExecuteNonQuery();
                logger.LogInformation("Applied database script {Script}", name);
            }

            transaction.Commit();
        }

        logger.LogInformation("{State} SQLite database at {File}", fresh ? "Created" : "Opened", options.SqliteFile);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
