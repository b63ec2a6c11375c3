using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Coordination.Bench.Figures;

/// <summary>
/// The store's own limit, beside which durable decisions are judged: single-row inserts, each its own
/// committed transaction, on the same database and settings the server uses.
/// </summary>
internal interface IRawCommits
{
    /// <summary>Commits per second over a run of that length.</summary>
    Task<double> RunAsync(double seconds);

    string Describe();
}

/// <summary>One connection to the server's own file (its WAL and synchronous settings): SQLite has one writer at a time.</summary>
internal sealed class SqliteRawCommits(string file) : IRawCommits
{
    private readonly string _connectionString = $"Data Source={file};Pooling=True;Default Timeout=30";
    private bool _created;

    public string Describe() => "same file and settings";

    public async Task<double> RunAsync(double seconds)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        if (!_created)
        {
            command.CommandText = "CREATE TABLE IF NOT EXISTS BenchRaw (Id INTEGER PRIMARY KEY, Payload BLOB NOT NULL);";
            await command.ExecuteNonQueryAsync();
            _created = true;
        }

        command.CommandText = "INSERT INTO BenchRaw (Payload) VALUES ($p);";
        command.Parameters.Add("$p", SqliteType.Blob).Value = new byte[200];
        var watch = Stopwatch.StartNew();
        var rows = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            command.Transaction = transaction;
            await command.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
            rows++;
        }

        return rows / watch.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// As many connections as the server holds open to the database at the time (counted once, after the
/// server has run the decisions it is compared with), each committing single-row inserts: PostgreSQL
/// commits concurrent transactions' WAL together, so its raw rate depends on how many connections commit.
/// </summary>
internal sealed class PostgresRawCommits(string connectionString) : IRawCommits
{
    private int _connections;

    public string Describe() => $"same database, {(_connections > 0 ? _connections.ToString(System.Globalization.CultureInfo.InvariantCulture) : "the server's")} connections";

    public async Task<double> RunAsync(double seconds)
    {
        if (_connections == 0)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid();" +
                "CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, payload bytea NOT NULL);", connection);
            _connections = Math.Max(1, (int)(long)(await count.ExecuteScalarAsync())!);
        }

        // Connections opened and statements prepared before the clock starts, as the server's pool has them;
        // unpooled, as the server may hold more than one pool's worth.
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var inserts = await Task.WhenAll(Enumerable.Range(0, _connections).Select(async _ =>
        {
            var connection = new NpgsqlConnection(unpooled);
            await connection.OpenAsync();
            var insert = new NpgsqlCommand("INSERT INTO bench_raw (payload) VALUES ($1);", connection);
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = new byte[200] });
            await insert.PrepareAsync();
            return insert;
        }));
        var rows = 0;
        var watch = Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(inserts.Select(async insert =>
            {
                while (watch.Elapsed.TotalSeconds < seconds)
                {
                    await insert.ExecuteNonQueryAsync();
                    Interlocked.Increment(ref rows);
                }
            }));
        }
        finally
        {
            foreach (var insert in inserts)
            {
                await insert.Connection!.DisposeAsync();
                await insert.DisposeAsync();
            }
        }

        return rows / watch.Elapsed.TotalSeconds;
    }
}
