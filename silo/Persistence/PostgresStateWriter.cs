using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Grain state writes on PostgreSQL, group-committed as on SQLite: writes waiting when a writer is
/// free go in one transaction, sent as one batch (one round trip, one commit) instead of one
/// transaction each on a connection of their own. Each statement is the provider's version-checked
/// write, which answers with no row rather than an error when the check refuses it, so a refused
/// write fails alone and the rest of its group commits. A group that fails (the server gone, the disk
/// full) fails every write in it, and none of them is reported stored.
/// <para>
/// A few writers run side by side, so one group's commit (its WAL flush) overlaps the next group's
/// round trip; each group locks its rows in key order, so groups of this silo and of others never
/// wait on each other in a cycle.
/// </para>
/// </summary>
internal sealed partial class PostgresStateWriter : IStateWriter, IAsyncDisposable
{
    /// <summary>
    /// Writers side by side: two, so one group's commit overlaps the next group's round trip. A free writer
    /// takes whatever is waiting, so more writers make smaller groups and more commits, and the database's
    /// cost is per commit as much as per row: four made 1.8–1.9 commits per capacity decision, two make 1.0,
    /// at less silo and database CPU per decision (BENCHMARKS.md, session 13).
    /// </summary>
    private const int Writers = 2;

    /// <summary>The most writes in one group; more wait for the next.</summary>
    private const int MaxGroup = 64;

    private readonly NpgsqlDataSource _database;
    private readonly string _serviceId;
    private readonly ILogger<PostgresStateWriter> _logger;
    private readonly WriteLanes<Pending> _queue = new();
    private readonly Task[] _writers;
    private string? _query;
    private long _groups;

    public PostgresStateWriter(NpgsqlDataSource database, string serviceId, ILogger<PostgresStateWriter> logger)
    {
        _database = database;
        _serviceId = serviceId;
        _logger = logger;
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Groups committed so far (for tests and operators).</summary>
    public long Committed => Interlocked.Read(ref _groups);

    public Task<int?> WriteAsync(string stateName, string key, int? expected, byte[] payload, bool background)
    {
        var pending = new Pending(stateName, key, expected, payload);
        if (!_queue.TryAdd(pending, background))
        {
            throw new ObjectDisposedException(nameof(PostgresStateWriter), "the silo is stopping; the write was not taken");
        }

        return pending.Stored.Task;
    }

    private async Task RunAsync()
    {
        var group = new List<Pending>(MaxGroup);
        while (await _queue.WaitAsync())
        {
            _queue.TakeGroup(group, MaxGroup);

            // Another writer may have taken what woke this one.
            if (group.Count > 0)
            {
                await CommitAsync(group);
                group.Clear();
            }
        }
    }

    private async Task CommitAsync(List<Pending> group)
    {
        group.Sort(static (a, b) => a.StateName != b.StateName
            ? string.CompareOrdinal(a.StateName, b.StateName)
            : string.CompareOrdinal(a.Key, b.Key));
        var stored = new int?[group.Count];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await using var connection = await _database.OpenConnectionAsync();
            _query ??= await ReadQueryAsync(connection);
            await using var transaction = await connection.BeginTransactionAsync();
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var pending in group)
            {
                batch.BatchCommands.Add(Statement(_query, pending));
            }

            await using (var reader = await batch.ExecuteReaderAsync())
            {
                for (var i = 0; i < group.Count; i++)
                {
                    while (await reader.ReadAsync())
                    {
                        stored[i] ??= reader.IsDBNull(0) ? null : reader.GetInt32(0);
                    }

                    await reader.NextResultAsync();
                }
            }

            await transaction.CommitAsync();
        }
        catch (Exception e)
        {
            // Not committed: nobody in the group is told it was. (A connection the failure broke is not reused:
            // Npgsql drops broken connections from its pool, and notices idle ones a server restart broke.)
            LogCommitFailed(e, group.Count);
            foreach (var pending in group)
            {
                pending.Stored.TrySetException(e);
            }

            return;
        }

        Interlocked.Increment(ref _groups);
        StorageMetrics.Committed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Stored.TrySetResult(stored[i]);
        }
    }

    // The writers' loops run on the thread pool: the one read of the query is asynchronous, unlike SQLite's writer thread.
    private static async Task<string> ReadQueryAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(WriteQuery.Select, connection);
        return await command.ExecuteScalarAsync() as string ?? throw new InvalidOperationException("OrleansQuery has no WriteToStorageKey: the schema was not applied");
    }

    private NpgsqlBatchCommand Statement(string query, Pending pending) => new(query)
    {
        Parameters =
        {
            new NpgsqlParameter("GrainIdHash", NpgsqlDbType.Integer) { Value = 0 },
            new NpgsqlParameter("GrainIdN0", NpgsqlDbType.Bigint) { Value = 0L },
            new NpgsqlParameter("GrainIdN1", NpgsqlDbType.Bigint) { Value = 0L },
            new NpgsqlParameter("GrainTypeHash", NpgsqlDbType.Integer) { Value = 0 },
            new NpgsqlParameter("ServiceId", NpgsqlDbType.Varchar) { Value = _serviceId },
            new NpgsqlParameter("GrainTypeString", NpgsqlDbType.Varchar) { Value = pending.StateName },
            new NpgsqlParameter("GrainIdExtensionString", NpgsqlDbType.Varchar) { Value = pending.Key },
            new NpgsqlParameter("GrainStateVersion", NpgsqlDbType.Integer) { Value = pending.Expected is { } v ? v : DBNull.Value },
            new NpgsqlParameter("PayloadBinary", NpgsqlDbType.Bytea) { Value = pending.Payload },
        },
    };

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await Task.WhenAll(_writers);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing a group of {Count} grain state writes to PostgreSQL failed; all of them are refused")]
    private partial void LogCommitFailed(Exception exception, int count);

    private sealed record Pending(string StateName, string Key, int? Expected, byte[] Payload)
    {
        public TaskCompletionSource<int?> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
