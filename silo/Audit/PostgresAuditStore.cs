using System.Globalization;
using Coordination.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Coordination.Silo.Audit;

/// <summary>The audit log's rows in PostgreSQL, appended in one transaction per batch.</summary>
public sealed class PostgresAuditStore(NpgsqlDataSource database) : IAuditStore
{
    public async Task<AuditEntry?> LastAsync()
    {
        await using var command = database.CreateCommand($"{AuditRows.Select} ORDER BY Sequence DESC LIMIT 1;");
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? AuditRows.Read(reader) : null;
    }

    public async Task AppendAsync(IReadOnlyList<AuditEntry> entries)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var e in entries)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO AuditLog (Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash, Call)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Sequence });
            foreach (var text in new[] { e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.Subject, e.Role, e.Scope, e.Rpc, e.RequestId, e.IncidentId, e.Outcome, e.Detail, e.PreviousHash, e.Hash, e.Call })
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)text ?? DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Whether the table can take a row of a record's size right now, without adding one to the chain:
    /// the row is inserted (PostgreSQL places it on a page, extending the file if it must) and rolled
    /// back. Fails as an append would ("could not extend file") while the disk is full.
    /// </summary>
    public async Task ProbeAsync()
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO AuditLog (Sequence, At, Subject, Role, Scope, Rpc, Outcome, Detail, PreviousHash, Hash)
            VALUES (-1, '', 'probe', '', '', '', '', $1, '', '');
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = new string('x', 512) });
        await command.ExecuteNonQueryAsync();
        await transaction.RollbackAsync();
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await AuditRows.QueryAsync(connection, incidentId, from, to, afterSequence, limit);
    }
}
