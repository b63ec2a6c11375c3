using System.Data.Common;
using System.Globalization;
using Coordination.Domain;

namespace Coordination.Silo.Audit;

/// <summary>The audit log's columns, read the same way from either database (and by <c>coord audit verify</c>).</summary>
public static class AuditRows
{
    public const string Select = "SELECT Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash, Call FROM AuditLog";

    public static AuditEntry Read(DbDataReader r) => new(
        r.GetInt64(0),
        DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetString(10), r.GetString(11),
        r.IsDBNull(12) ? null : r.GetString(12));

    /// <summary>
    /// Runs the filtered read on an open connection of either database (both accept @name
    /// parameters). At is fixed-width ISO 8601 UTC text in both, so text order is time order.
    /// </summary>
    public static async Task<IReadOnlyList<AuditEntry>> QueryAsync(DbConnection connection, string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string> { "Sequence > @after" };
        Add(command, "after", afterSequence);
        if (incidentId is not null)
        {
            where.Add("IncidentId = @incident");
            Add(command, "incident", incidentId);
        }

        if (from is { } f)
        {
            where.Add("At >= @from");
            Add(command, "from", f.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            where.Add("At < @to");
            Add(command, "to", t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        }

        command.CommandText = $"{Select} WHERE {string.Join(" AND ", where)} ORDER BY Sequence LIMIT @limit;";
        Add(command, "limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync())
        {
            entries.Add(Read(reader));
        }

        return entries;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
