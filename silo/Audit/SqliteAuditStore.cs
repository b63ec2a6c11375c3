using System.Globalization;
using Coordination.Domain;
using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;

namespace Coordination.Silo.Audit;

/// <summary>The audit log's rows in the SQLite file, appended in one transaction per batch.</summary>
public sealed class SqliteAuditStore(StorageOptions storage, SqliteCommitter committer) : IAuditStore
{
    public async Task<AuditEntry?> LastAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"{AuditRows.Select} ORDER BY Sequence DESC LIMIT 1;";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? AuditRows.Read(reader) : null;
    }

    /// <summary>Appends in the committer's next group: durable, with the grain writes around it, when the task completes.</summary>
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries) => committer.RunAsync(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO AuditLog (Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash, Call)
            VALUES ($seq, $at, $subject, $role, $scope, $rpc, $request, $incident, $outcome, $detail, $prev, $hash, $call);
            """;
        var parameters = new[] { "$seq", "$at", "$subject", "$role", "$scope", "$rpc", "$request", "$incident", "$outcome", "$detail", "$prev", "$hash", "$call" }
            .Select(name => command.Parameters.Add(name, SqliteType.Text)).ToArray();
        foreach (var e in entries)
        {
            object?[] values = [e.Sequence, e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.Subject, e.Role, e.Scope, e.Rpc, e.RequestId, e.IncidentId, e.Outcome, e.Detail, e.PreviousHash, e.Hash, e.Call];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            command.ExecuteNonQuery();
        }

        return entries.Count;
    });

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit)
    {
        await using var connection = await OpenAsync();
        return await AuditRows.QueryAsync(connection, incidentId, from, to, afterSequence, limit);
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(storage.SqliteConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
