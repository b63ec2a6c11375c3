using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>
/// The single SQLite writer: concurrent writes share commits, each is answered only once its group
/// is on disk, a piece that fails fails alone, and grain writes keep the provider's version check.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private StorageOptions _options = null!;
    private SqliteCommitter _committer = null!;

    public Task InitializeAsync()
    {
        _options = new StorageOptions { DataDirectory = _data.Path };
        SqliteSchema.Apply(_options, NullLogger.Instance);
        _committer = new SqliteCommitter(_options, NullLogger<SqliteCommitter>.Instance);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Concurrent_writes_share_commits_and_every_answered_write_is_in_the_file()
    {
        await Exec("CREATE TABLE Pieces (Id INTEGER PRIMARY KEY);");
        var before = _committer.Committed;

        var writes = Enumerable.Range(1, 300).Select(i => _committer.RunAsync(c => Exec(c, $"INSERT INTO Pieces (Id) VALUES ({i});"))).ToList();
        await Task.WhenAll(writes);

        var (groups, pieces) = (_committer.Committed.Groups - before.Groups, _committer.Committed.Writes - before.Writes);
        Assert.Equal(300, pieces);
        Assert.True(groups < 100, $"300 concurrent writes took {groups} commits");
        Assert.Equal(300L, Count("SELECT COUNT(*) FROM Pieces;"));
    }

    [Fact]
    public async Task A_piece_that_fails_is_rolled_back_and_fails_alone()
    {
        await Exec("CREATE TABLE Pieces (Id INTEGER PRIMARY KEY);");
        var first = _committer.RunAsync(c => Exec(c, "INSERT INTO Pieces (Id) VALUES (1);"));
        var broken = _committer.RunAsync(c =>
        {
            Exec(c, "INSERT INTO Pieces (Id) VALUES (2);");
            return Exec(c, "INSERT INTO Pieces (Id) VALUES (1);"); // a duplicate key: this piece fails after writing a row
        });
        var third = _committer.RunAsync(c => Exec(c, "INSERT INTO Pieces (Id) VALUES (3);"));

        await first;
        await third;
        await Assert.ThrowsAsync<SqliteException>(() => broken);
        Assert.Equal(2L, Count("SELECT COUNT(*) FROM Pieces;"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM Pieces WHERE Id = 2;"));
    }

    [Fact]
    public async Task A_group_failed_by_a_full_disk_is_rolled_back_whole_and_the_next_write_goes_through_at_once()
    {
        await Exec("CREATE TABLE Pieces (Id INTEGER PRIMARY KEY);");
        var gate = new TaskCompletionSource();
        var held = new TaskCompletionSource();

        // Holds the writer so that the next three writes form one group.
        var holding = _committer.RunAsync(_ =>
        {
            held.SetResult();
            return gate.Task.Wait(TimeSpan.FromSeconds(10));
        });
        await held.Task;
        var before = _committer.RunAsync(c => Exec(c, "INSERT INTO Pieces (Id) VALUES (1);"));
        var full = _committer.RunAsync<int>(c =>
        {
            Exec(c, "INSERT INTO Pieces (Id) VALUES (2);");

            // What SQLite answers when the disk fills in the middle of a group (it may or may not have rolled back itself).
            throw new SqliteException("SQLite Error 13: 'database or disk is full'.", SQLitePCL.raw.SQLITE_FULL);
        });
        var after = _committer.RunAsync(c => Exec(c, "INSERT INTO Pieces (Id) VALUES (3);"));
        gate.SetResult();

        Assert.True(await holding);
        foreach (var write in new[] { before, full, after })
        {
            await Assert.ThrowsAsync<SqliteException>(() => write);
        }

        // Nothing of the failed group is kept, and no transaction of it lingers on a pooled connection:
        // the next write is neither refused nor held on the file's write lock.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await _committer.RunAsync(c => Exec(c, "INSERT INTO Pieces (Id) VALUES (4);")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the next write took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal((1L, 4L), (Count("SELECT COUNT(*) FROM Pieces;"), Count("SELECT MAX(Id) FROM Pieces;")));
    }

    [Fact]
    public async Task Grain_writes_keep_the_providers_version_check_and_format()
    {
        var storage = new GroupCommitGrainStorage(null!, new SqliteStateWriter(_committer, "svc"), new BytesSerializer(), "svc");
        var grain = GrainId.Create("unit", "nordvakt/n1");
        var state = new GrainState<byte[]>([1]);

        await storage.WriteStateAsync("unit", grain, state);
        Assert.Equal("1", state.ETag);
        Assert.True(state.RecordExists);

        // Another activation that believes the grain was never written loses.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("unit", grain, new GrainState<byte[]>([9])));

        var stale = new GrainState<byte[]>([8]) { ETag = "1" };
        state.State = [2];
        await storage.WriteStateAsync("unit", grain, state);
        Assert.Equal("2", state.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("unit", grain, stale));

        // The row is where the stock provider reads it: natural key, version 2, the last payload.
        Assert.Equal(2L, Count("SELECT Version FROM OrleansStorage WHERE ServiceId = 'svc' AND GrainTypeString = 'unit' AND GrainIdN0 = 0 AND GrainIdN1 = 0 AND GrainIdExtensionString = 'nordvakt/n1';"));
        Assert.Equal(2L, Count("SELECT unicode(CAST(PayloadBinary AS TEXT)) FROM OrleansStorage WHERE GrainIdExtensionString = 'nordvakt/n1';"));
    }

    public async Task DisposeAsync()
    {
        await _committer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private Task<int> Exec(string sql) => _committer.RunAsync(c => Exec(c, sql));

    private static int Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection(_options.SqliteConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
