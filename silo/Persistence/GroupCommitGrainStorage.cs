using System.Globalization;
using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Orleans' ADO.NET grain storage on the SQLite file, with its writes group-committed. Reads (and
/// the rare clear) go through the stock provider; a write runs the provider's own named query,
/// WriteToStorageKey from OrleansQuery, with the parameters the provider would pass, but inside
/// the <see cref="SqliteCommitter"/>'s next group, so concurrent grains share one fsync. The
/// version check is the provider's: a write based on a version that is no longer current is
/// refused with <see cref="InconsistentStateException"/>.
/// </summary>
internal sealed class GroupCommitGrainStorage(AdoNetGrainStorage inner, SqliteCommitter committer, IGrainStorageSerializer serializer, string serviceId)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    // The provider's write query, read once from OrleansQuery (two first writes racing both read it: harmless).
    private string? _writeQuery;
    private SqliteCommand? _write;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Only string keys are stored this way (every grain here has one); others keep the provider's path.
        if (grainId.TryGetGuidKey(out _, out _) || grainId.TryGetIntegerKey(out _, out _))
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        int? expected = string.IsNullOrWhiteSpace(grainState.ETag) ? null : int.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var payload = serializer.Serialize(grainState.State).ToArray();
        StorageMetrics.Serialized(stateName, payload.Length);
        var query = _writeQuery ??= await committer.RunAsync(ReadWriteQuery);
        var key = grainId.Key.ToString();
        var stored = await committer.RunAsync(connection => Write(connection, query, stateName, key, expected, payload));
        if (stored is null || stored == expected)
        {
            throw new InconsistentStateException(
                $"Version conflict (WriteState): ServiceId={serviceId} GrainType={stateName} GrainId={key} ETag={grainState.ETag}: another activation wrote this grain's state.");
        }

        grainState.ETag = stored.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    public void Participate(ISiloLifecycle lifecycle) => inner.Participate(lifecycle);

    private static string ReadWriteQuery(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey';";
        return command.ExecuteScalar() as string ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: the schema was not applied");
    }

    /// <summary>The provider's parameters for a string-keyed grain; the hash columns are not part of this schema's key, so they are left 0.</summary>
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
