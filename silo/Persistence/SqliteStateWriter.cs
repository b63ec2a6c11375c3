using Microsoft.Data.Sqlite;

namespace Coordination.Silo.Persistence;

/// <summary>Grain state writes in the <see cref="SqliteCommitter"/>'s next group: one writer, one fsync per group.</summary>
internal sealed class SqliteStateWriter(SqliteCommitter committer, string serviceId) : IStateWriter
{
    // The provider's write query, read once from OrleansQuery (two first writes racing both read it: harmless).
    private string? _query;
    private SqliteCommand? _write;

    public async Task<int?> WriteAsync(string stateName, string key, int? expected, byte[] payload, bool background)
    {
        var query = _query ??= await committer.RunAsync(connection => WriteQuery.Read(connection));
        return await committer.RunAsync(connection => Write(connection, query, stateName, key, expected, payload), background);
    }

    private int? Write(SqliteConnection connection, string query, string stateName, string key, int? expected, byte[] payload)
    {
        // Runs only on the committer's one thread: the statement is prepared once per connection and reused.
        if (_write?.Connection != connection)
        {
            _write?.Dispose();
            _write = connection.CreateCommand();
            _write.CommandText = query;
            _write.Parameters.AddWithValue("@GrainIdHash", 0);
            _write.Parameters.AddWithValue("@GrainIdN0", 0L);
            _write.Parameters.AddWithValue("@GrainIdN1", 0L);
            _write.Parameters.AddWithValue("@GrainTypeHash", 0);
            _write.Parameters.AddWithValue("@ServiceId", serviceId);
            _write.Parameters.Add("@GrainTypeString", SqliteType.Text);
            _write.Parameters.Add("@GrainIdExtensionString", SqliteType.Text);
            _write.Parameters.Add("@GrainStateVersion", SqliteType.Integer);
            _write.Parameters.Add("@PayloadBinary", SqliteType.Blob);
            _write.Prepare();
        }

        var command = _write;
        command.Parameters["@GrainTypeString"].Value = stateName;
        command.Parameters["@GrainIdExtensionString"].Value = key;
        command.Parameters["@GrainStateVersion"].Value = expected is { } v ? v : DBNull.Value;
        command.Parameters["@PayloadBinary"].Value = payload;
        using var reader = command.ExecuteReader();
        int? stored = null;
        do
        {
            while (reader.Read())
            {
                stored ??= reader.IsDBNull(0) ? null : reader.GetInt32(0);
            }
        }
        while (reader.NextResult());
        return stored;
    }
}

/// <summary>The provider's own write query, as the schema scripts stored it in OrleansQuery.</summary>
internal static class WriteQuery
{
    public const string Select = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';";

    public static string Read(System.Data.Common.DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Select;
        return command.ExecuteScalar() as string ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: the schema was not applied");
    }
}
