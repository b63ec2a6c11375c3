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
                INSERT INTO AuditLog (Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12);
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = e.Sequence });
            foreach (var text in new[] { e.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.Subject, e.Role, e.Scope, e.Rpc, e.RequestId, e.IncidentId, e.Outcome, e.Detail, e.PreviousHash, e.Hash })
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)text ?? DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit)
    {
        await using var command = database.CreateCommand();
        var where = new List<string> { "Sequence > @after" };
        command.Parameters.AddWithValue("after", afterSequence);
        if (incidentId is not null)
        {
            where.Add("IncidentId = @incident");
            command.Parameters.AddWithValue("incident", incidentId);
        }

        // At is stored as fixed-width ISO 8601 UTC text, so text order is time order.
        if (from is { } f)
        {
            where.Add("At >= @from");
            command.Parameters.AddWithValue("from", f.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            where.Add("At < @to");
            command.Parameters.AddWithValue("to", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        command.CommandText = $"{AuditRows.Select} WHERE {string.Join(" AND ", where)} ORDER BY Sequence LIMIT @limit;";
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(AuditRows.Read(reader));
        }

        return entries;
    }
}
