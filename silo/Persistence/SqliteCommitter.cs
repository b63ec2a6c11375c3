using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Persistence;

/// <summary>
/// The one writer on the SQLite file in this process, committing in groups. Every write (grain
/// state, audit records) is queued; a single loop takes whatever is waiting, runs each piece under
/// its own savepoint in one transaction, and commits once: one fsync of the write-ahead log makes
/// the whole group durable, and only then is each waiting caller answered. One write alone still
/// commits at once; under load, many grains share each fsync instead of queuing for their own.
/// A piece that fails is rolled back to its savepoint and fails alone; a commit that fails fails
/// the whole group, so nothing is acknowledged that is not on disk.
/// </summary>
public sealed partial class SqliteCommitter : IAsyncDisposable
{
    // Bounds one transaction's time (and so the wait of the first caller in it).
    private const int MaxGroup = 256;

    private readonly WriteLanes<Work> _queue = new();
    private readonly StorageOptions _storage;
    private readonly ILogger<SqliteCommitter> _logger;
    private readonly Task _loop;
    private SqliteConnection? _connection;
    private Control? _control;
    private long _groups;
    private long _writes;

    public SqliteCommitter(StorageOptions storage, ILogger<SqliteCommitter> logger)
    {
        _storage = storage;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Groups committed and writes in them so far (for tests and operators).</summary>
    public (long Groups, long Writes) Committed => (Interlocked.Read(ref _groups), Interlocked.Read(ref _writes));

    /// <summary>
    /// Runs <paramref name="write"/> in the next group's transaction; completes when that group is durable.
    /// A <paramref name="background"/> write gives way to commands' writes (see <see cref="WriteLanes{T}"/>).
    /// </summary>
    public Task<T> RunAsync<T>(Func<SqliteConnection, T> write, bool background = false)
    {
        var work = new Work<T>(write);
        if (!_queue.TryAdd(work, background))
        {
            throw new ObjectDisposedException(nameof(SqliteCommitter), "the silo is stopping; the write was not taken");
        }

        return work.Completion.Task;
    }

    private async Task RunAsync()
    {
        var group = new List<Work>(MaxGroup);
        while (await _queue.WaitAsync())
        {
            _queue.TakeGroup(group, MaxGroup);
            Commit(group);
            group.Clear();
        }
    }

    private void Commit(List<Work> group)
    {
        SqliteConnection? connection = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            connection = Connection();
            _control!.Begin.ExecuteNonQuery();
            foreach (var work in group)
            {
                _control.Savepoint.ExecuteNonQuery();
                try
                {
                    work.Run(connection);
                    _control.Release.ExecuteNonQuery();
                }
                catch (Exception e) when (e is not SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CORRUPT })
                {
                    _control.Rollback.ExecuteNonQuery();
                    work.Fail(e);
                }
            }

            _control.Commit.ExecuteNonQuery();
            Interlocked.Increment(ref _groups);
            StorageMetrics.Committed(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            Interlocked.Add(ref _writes, group.Count);
        }
        catch (Exception e)
        {
            // Not committed: nobody in the group is told it was. The next group starts on a fresh connection.
            LogCommitFailed(e, group.Count);
            _control?.Dispose();
            _control = null;
            Discard(connection);
            _connection = null;
            foreach (var work in group)
            {
                work.Fail(e);
            }
        }

        foreach (var work in group)
        {
            work.Complete();
        }
    }

    /// <summary>
    /// Closes a connection whose group failed, with its transaction rolled back for certain. After
    /// SQLITE_FULL or an I/O error SQLite may or may not have rolled the transaction back itself, and
    /// the connection pool keeps the native handle as it is: a handle returned to the pool still inside
    /// BEGIN IMMEDIATE would hold the file's write lock, and every later write (ours and the
    /// provider's) would wait on it for the busy timeout — the disk would be free and writes still
    /// stalled. So the transaction is rolled back here and the handle is closed, not pooled.
    /// </summary>
    private void Discard(SqliteConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.State == System.Data.ConnectionState.Open && SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                using var rollback = connection.CreateCommand();
                rollback.CommandText = "ROLLBACK;";
                rollback.ExecuteNonQuery();
            }
        }
        catch (SqliteException e)
        {
            // Closing the native handle below rolls back whatever is still open.
            LogRollbackFailed(e);
        }

        SqliteConnection.ClearPool(connection);
        connection.Dispose();
    }

    // How much of the file the writer maps, at most (address space, not memory: the pages are the operating system's cache).
    private const long WriterMapBytes = 1L << 30;

    private SqliteConnection Connection()
    {
        if (_connection is null)
        {
            var connection = new SqliteConnection(_storage.SqliteConnectionString);
            connection.Open();
            using var pragma = connection.CreateCommand();

            // Explicit, whatever the library's default: each commit syncs the log, so an answered write survives power loss.
            // Pages read through a memory map: every write finds its row through the table's index, and with
            // SQLite's 2 MiB page cache most of a busy store's pages were read back with a system call each
            // (measured: 3.6 % of the server's CPU in the capacity loop). A larger page cache instead cost
            // more than it saved: SQLite walks the whole cache at every commit. Writes still go through the
            // log as before; the map is only read.
            pragma.CommandText = $"PRAGMA synchronous = FULL; PRAGMA mmap_size = {WriterMapBytes};";
            pragma.ExecuteNonQuery();
            _connection = connection;
            _control = new Control(connection);
        }

        return _connection;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await _loop;
        _control?.Dispose();
        _connection?.Dispose();
    }

    /// <summary>The transaction's own statements, prepared once per connection: they run several times per write.</summary>
    private sealed class Control(SqliteConnection connection) : IDisposable
    {
        public SqliteCommand Begin { get; } = Prepared(connection, "BEGIN IMMEDIATE;");
        public SqliteCommand Savepoint { get; } = Prepared(connection, "SAVEPOINT piece;");
        public SqliteCommand Release { get; } = Prepared(connection, "RELEASE piece;");
        public SqliteCommand Rollback { get; } = Prepared(connection, "ROLLBACK TO piece; RELEASE piece;");
        public SqliteCommand Commit { get; } = Prepared(connection, "COMMIT;");

        public void Dispose()
        {
            foreach (var command in new[] { Begin, Savepoint, Release, Rollback, Commit })
            {
                command.Dispose();
            }
        }

        private static SqliteCommand Prepared(SqliteConnection connection, string sql)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            return command;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing a group of {Count} writes to the SQLite file failed; all of them are refused")]
    private partial void LogCommitFailed(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed group's transaction failed; its connection is closed instead")]
    private partial void LogRollbackFailed(Exception exception);

    private abstract class Work
    {
        public abstract void Run(SqliteConnection connection);

        public abstract void Fail(Exception exception);

        public abstract void Complete();
    }

    private sealed class Work<T>(Func<SqliteConnection, T> write) : Work
    {
        private T? _result;
        private Exception? _failure;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteConnection connection) => _result = write(connection);

        public override void Fail(Exception exception) => _failure ??= exception;

        public override void Complete()
        {
            if (_failure is not null)
            {
                Completion.TrySetException(_failure);
            }
            else
            {
                Completion.TrySetResult(_result!);
            }
        }
    }
}
