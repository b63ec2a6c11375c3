using System.Text;
using Microsoft.Data.Sqlite;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// What a node's SQLite file holds, read straight from the file (read-only): erasure is checked in the
/// rows themselves, not through the API that does the erasing.
/// </summary>
internal sealed class StoredRows(string dataDirectory)
{
    private string Database => Path.Combine(dataDirectory, "coordination.db");

    /// <summary>Whether any grain's stored state holds these bytes.</summary>
    public bool GrainStateContains(ReadOnlySpan<byte> bytes)
    {
        foreach (var row in Rows("SELECT PayloadBinary FROM OrleansStorage"))
        {
            if (row.AsSpan().IndexOf(bytes) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public bool GrainStateContains(string text) => GrainStateContains(Encoding.UTF8.GetBytes(text));

    /// <summary>Whether any audit record's detail or id holds the text.</summary>
    public bool AuditContains(string text) =>
        Rows("SELECT coalesce(Detail, '') || ' ' || coalesce(RequestId, '') FROM AuditLog").Any(row => Encoding.UTF8.GetString(row).Contains(text, StringComparison.Ordinal));

    /// <summary>`coord audit verify` on the file: its exit code and what it printed.</summary>
    public async Task<(int Code, string Output)> VerifyAudit()
    {
        var output = new StringWriter();
        var code = await Coordination.Cli.Commands.RunAsync(["audit", "verify", "--database", Database], output, new StringWriter());
        return (code, output.ToString());
    }

    private List<byte[]> Rows(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<byte[]>();
        while (reader.Read())
        {
            rows.Add(reader.IsDBNull(0) ? [] : reader.GetFieldType(0) == typeof(string) ? Encoding.UTF8.GetBytes(reader.GetString(0)) : (byte[])reader[0]);
        }

        return rows;
    }
}
