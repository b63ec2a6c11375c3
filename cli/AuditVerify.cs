using System.Data.Common;
using Coordination.Domain;
using Coordination.Silo.Audit;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coordination.Cli;

/// <summary>
/// Checks the audit log straight from the database, independently of the running system: the hash
/// chain (the first broken link: a changed, missing or reordered entry), then the log against the
/// grain states (<see cref="AuditCrossCheck"/>): changes without a record, records of changes the
/// state does not show, and commands in doubt.
/// Reads a single node's SQLite file, or a cluster's PostgreSQL database.
/// </summary>
public static class AuditVerify
{
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
        var entries = new List<AuditEntry>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"{AuditRows.Select} ORDER BY Sequence";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                entries.Add(AuditRows.Read(reader));
            }
        }

        if (AuditChain.FirstBrokenLink(entries) is { } broken)
        {
            await output.WriteLineAsync($"audit chain BROKEN at entry {broken.Sequence}: {broken.Problem}");
            return 1;
        }

        await output.WriteLineAsync($"audit chain intact: {entries.Count} entries");

        // An intact chain can still lack records that were never written: hold it against the state.
        var (incidents, units) = await StoredGrains.ReadAsync(connection);
        var findings = AuditCrossCheck.Check(entries, incidents, units);
        await Report(output, "commands in doubt (started, no outcome recorded)", findings.InDoubt);
        await Report(output, "changes without an audit record", findings.Unrecorded);
        await Report(output, "records of changes the state does not show", findings.NotInState);
        if (!findings.Gaps)
        {
            await output.WriteLineAsync($"every change in the state has its record ({incidents.Count} incidents, {units.Count} units checked)");
        }

        return findings.Gaps ? 1 : 0;
    }

    private static async Task Report(TextWriter output, string what, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        await output.WriteLineAsync($"{what}: {lines.Count}");
        foreach (var line in lines)
        {
            await output.WriteLineAsync($"  {line}");
        }
    }
}
