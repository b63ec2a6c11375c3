using System.Data.Common;
using Coordination.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coordination.Cli;

/// <summary>
/// Checks the audit log's hash chain straight from the database file, independently of the running
/// system: reports the first broken link (a changed, missing or reordered entry), or that it holds.
/// Reads a single node's SQLite file, or a cluster's PostgreSQL database.
/// </summary>
public static class AuditVerify
{
    private const string Select = "SELECT Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash FROM AuditLog ORDER BY Sequence";

    public static async Task<int> RunAsync(string database, TextWriter output, TextWriter error)
    {
        if (!File.Exists(database))
        {
            await error.WriteLineAsync($"no database at {database}");
            return 2;
        }

        await using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        return await VerifyAsync(connection, output);
    }

    public static async Task<int> RunOnPostgresAsync(string connectionString, TextWriter output, TextWriter error)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            return await VerifyAsync(connection, output);
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            await error.WriteLineAsync($"cannot read the audit log from PostgreSQL: {e.Message}");
            return 2;
        }
    }

    private static async Task<int> VerifyAsync(DbConnection connection, TextWriter output)
    {
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind),
                reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetString(10), reader.GetString(11)));
        }

        if (AuditChain.FirstBrokenLink(entries) is { } broken)
        {
            await output.WriteLineAsync($"audit chain BROKEN at entry {broken.Sequence}: {broken.Problem}");
            return 1;
        }

        await output.WriteLineAsync($"audit chain intact: {entries.Count} entries");
        return 0;
    }
}
