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

    /// <summary>The committer runs pieces in the order they were queued, and each append checks its predecessor.</summary>
    public bool AppendsInCallOrder => true;

    /// <summary>
    /// Appends in the committer's next group: durable, with the grain writes around it, when the task
    /// completes. The piece is queued before this returns, so appends are applied in call order.
    /// </summary>
    public Task AppendAsync(IReadOnlyList<AuditEntry> entries) => committer.RunAsync(connection =>
    {
        // A batch handed over while the one before it was still on its way is chained on that one: if
        // it is not in the log (its group failed), neither may this one be, or the chain has a hole.
        using (var head = connection.CreateCommand())
        {
            head.CommandText = "SELECT COALESCE(MAX(Sequence), 0) FROM AuditLog;";
            var last = Convert.ToInt64(head.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (entries.Count > 0 && last != entries[0].Sequence - 1)
            {
                throw new CoordinationException(ErrorKind.Unavailable, $"the audit log ends at {last}, not at {entries[0].Sequence - 1} (an earlier batch was not written); retry with the same id");
            }
        }

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
