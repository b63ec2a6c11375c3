using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordination.Tests;

/// <summary>
/// The project's own SQLite queries against the contract Orleans' ADO.NET storage relies on: a
/// write returns the new version, and a write based on a version that is no longer current returns
/// that old version unchanged, which the provider turns into a refusal (no lost updates when two
/// activations of one grain ever race).
/// </summary>
public sealed class SqliteStorageContractTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly SqliteConnection _connection;

    public SqliteStorageContractTests()
    {
        var options = new StorageOptions { DataDirectory = _data.Path };
        SqliteSchema.Apply(options, NullLogger.Instance);
        SqliteSchema.Apply(options, NullLogger.Instance); // a second start applies nothing twice
        _connection = new SqliteConnection(options.SqliteConnectionString);
        _connection.Open();
    }

    [Fact]
    public void The_database_is_in_wal_mode_and_records_each_script_once()
    {
        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
        Assert.Equal((long)Silo.Persistence.SchemaScripts.For("sqlite").Count(), Scalar("SELECT COUNT(*) FROM CoordinationSchema;"));
        Assert.Equal(3L, Scalar("SELECT COUNT(*) FROM OrleansQuery WHERE QueryKey IN ('WriteToStorageKey','ReadFromStorageKey','ClearStorageKey');"));
    }

    [Fact]
    public void Writes_advance_the_version_and_a_stale_version_is_refused()
    {
        Assert.Equal([1L], Run("WriteToStorageKey", version: null, payload: [1]));
        Assert.Empty(Run("WriteToStorageKey", version: null, payload: [9]));     // a second "first write" loses
        Assert.Equal([2L], Run("WriteToStorageKey", version: 1, payload: [2]));
        Assert.Equal([1L], Run("WriteToStorageKey", version: 1, payload: [9]));  // stale: caller's version comes back
        Assert.Equal([2L], Read().Select(r => r.Version));
        Assert.Equal([2], Read().Single().Payload);
    }

    [Fact]
    public void Clearing_keeps_the_row_and_advances_the_version()
    {
        Run("WriteToStorageKey", version: null, payload: [1]);

        Assert.Equal([2L], Run("ClearStorageKey", version: 1, payload: null));
        Assert.Equal([1L], Run("ClearStorageKey", version: 1, payload: null));  // stale: caller's version comes back
        var row = Read().Single();
        Assert.Null(row.Payload);
        Assert.Equal(2L, row.Version);
    }

    [Fact]
    public void Grains_of_the_same_id_but_another_type_or_service_do_not_see_each_other()
    {
        Run("WriteToStorageKey", version: null, payload: [1]);

        Assert.Empty(Read(type: "other.Grain"));
        Assert.Empty(Read(service: "other-service"));
        Assert.Equal([1L], Run("WriteToStorageKey", version: null, payload: [5], type: "other.Grain"));
    }

    public void Dispose()
    {
        _connection.Dispose();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteCommand Query(string key, int? version, byte[]? payload, string type, string service)
    {
        var command = _connection.CreateCommand();
        command.CommandText = (string)Scalar($"SELECT QueryText FROM OrleansQuery WHERE QueryKey = '{key}';")!;
        command.Parameters.AddWithValue("@GrainIdHash", 42);
        command.Parameters.AddWithValue("@GrainIdN0", 0L);
        command.Parameters.AddWithValue("@GrainIdN1", 0L);
        command.Parameters.AddWithValue("@GrainTypeHash", 7);
        command.Parameters.AddWithValue("@GrainTypeString", type);
        command.Parameters.AddWithValue("@GrainIdExtensionString", "company/unit");
        command.Parameters.AddWithValue("@ServiceId", service);
        command.Parameters.AddWithValue("@GrainStateVersion", (object?)version ?? DBNull.Value);
        command.Parameters.AddWithValue("@PayloadBinary", (object?)payload ?? DBNull.Value);
        return command;
    }

    private List<long> Run(string key, int? version, byte[]? payload, string type = "unit.Grain", string service = "svc")
    {
        using var command = Query(key, version, payload, type, service);
        using var reader = command.ExecuteReader();
        var versions = new List<long>();
        do
        {
            while (reader.Read())
            {
                versions.Add(reader.GetInt64(0));
            }
        }
        while (reader.NextResult());
        return versions;
    }

    private List<(byte[]? Payload, long Version)> Read(string type = "unit.Grain", string service = "svc")
    {
        using var command = Query("ReadFromStorageKey", null, null, type, service);
        using var reader = command.ExecuteReader();
        var rows = new List<(byte[]?, long)>();
        while (reader.Read())
        {
            rows.Add((reader.IsDBNull(0) ? null : (byte[])reader[0], reader.GetInt64(1)));
        }

        return rows;
    }
}
