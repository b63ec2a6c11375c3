using Coordination.Silo.Persistence;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>
/// Grain state writes on PostgreSQL, group-committed (<see cref="PostgresStateWriter"/>): concurrent
/// grains' writes share transactions, each keeps the provider's version check and row format, a
/// refused write fails alone, and a group the server never committed is answered as failed, with
/// the writes recovering on their own once the server is back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGroupCommitTests(PostgresServer postgres) : IAsyncLifetime
{
    private NpgsqlDataSource _database = null!;
    private PostgresStateWriter _writer = null!;
    private GroupCommitGrainStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _database = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync());
        await PostgresSchema.ApplyAsync(_database, NullLogger.Instance);
        _writer = new PostgresStateWriter(_database, "svc", NullLogger<PostgresStateWriter>.Instance);
        _storage = new GroupCommitGrainStorage(null!, _writer, new BytesSerializer(), "svc");
    }

    [Fact]
    public async Task Concurrent_writes_share_transactions_and_keep_the_providers_version_check_and_format()
    {
        var grains = Enumerable.Range(0, 300).Select(i => (Id: GrainId.Create("unit", $"nordvakt/u{i}"), State: new GrainState<byte[]>([(byte)i]))).ToList();
        var before = _writer.Committed;

        await Task.WhenAll(grains.Select(g => _storage.WriteStateAsync("unit", g.Id, g.State)));

        var groups = _writer.Committed - before;
        Assert.True(groups < 100, $"300 concurrent writes took {groups} transactions");
        Assert.All(grains, g => Assert.Equal(("1", true), (g.State.ETag, g.State.RecordExists)));
        Assert.Equal(300L, await Scalar<long>("SELECT count(*) FROM OrleansStorage WHERE ServiceId = 'svc' AND Version = 1;"));

        // Another activation that believes the grain was never written loses, and so does one a version behind;
        // written beside them, in the same groups, the current activation's writes are stored.
        var (first, state) = grains[0];
        var stale = new GrainState<byte[]>([8]) { ETag = "1" };
        state.State = [2];
        var current = _storage.WriteStateAsync("unit", first, state);
        var others = grains.Skip(1).Take(50).Select(g => _storage.WriteStateAsync("unit", g.Id, g.State)).ToList();
        await current;
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("unit", first, new GrainState<byte[]>([9])));
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync("unit", first, stale));
        await Task.WhenAll(others);
        Assert.Equal("2", state.ETag);
        Assert.All(grains.Skip(1).Take(50), g => Assert.Equal("2", g.State.ETag));

        // The row is where the stock provider reads it: natural key, version 2, the last payload.
        Assert.Equal(2, await Scalar<int>("SELECT Version FROM OrleansStorage WHERE ServiceId = 'svc' AND GrainTypeString = 'unit' AND GrainIdN0 = 0 AND GrainIdN1 = 0 AND GrainIdExtensionString = 'nordvakt/u0';"));
        Assert.Equal([2], await Scalar<byte[]>("SELECT PayloadBinary FROM OrleansStorage WHERE GrainIdExtensionString = 'nordvakt/u0';"));
    }

    [Fact]
    public async Task A_write_the_server_never_committed_fails_and_is_not_stored_and_writes_recover_once_it_is_back()
    {
        var grain = GrainId.Create("unit", "nordvakt/crash");
        var state = new GrainState<byte[]>([1]);
        await _storage.WriteStateAsync("unit", grain, state);

        // Enough at once that every writer takes a connection: the pool then holds several, all broken by the crash.
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => _storage.WriteStateAsync("unit", GrainId.Create("unit", $"nordvakt/w{i}"), new GrainState<byte[]>([1]))));

        await postgres.CrashAsync();
        try
        {
            state.State = [2];
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => _storage.WriteStateAsync("unit", grain, state));
            Assert.Equal("1", state.ETag);
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        // The first write after the restart goes through (none of the pool's connections the crash broke is used
        // again), and its version check shows the failed write left nothing: version 1 is still the stored one.
        state.State = [3];
        await _storage.WriteStateAsync("unit", grain, state);
        Assert.Equal("2", state.ETag);
        Assert.Equal([3], await Scalar<byte[]>("SELECT PayloadBinary FROM OrleansStorage WHERE GrainIdExtensionString = 'nordvakt/crash';"));
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _database.DisposeAsync();
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using var command = _database.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
