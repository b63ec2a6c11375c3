using Coordination.Domain;
using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordination.Tests;

/// <summary>A one-silo cluster whose units write their heartbeats 200 ms (at most) after they arrive.</summary>
public sealed class QuickFlushCluster : ClusterFixture
{
    protected override short Silos => 1;

    protected override TimeSpan HeartbeatFlushInterval => TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// Background writes (a unit's heartbeat flush) give way to commands' writes: 50,000 units'
/// heartbeats falling due together once delayed a district's commands by 10–15 s on PostgreSQL
/// (BENCHMARKS, session 9), because every write waited in one queue.
/// </summary>
public sealed class BackgroundWriteTests(QuickFlushCluster fixture) : IClassFixture<QuickFlushCluster>
{
    [Fact]
    public void A_group_takes_commands_first_and_keeps_places_for_background_writes_while_any_wait()
    {
        var lanes = new WriteLanes<string>();
        foreach (var i in Enumerable.Range(0, 20))
        {
            Assert.True(lanes.TryAdd($"b{i}", background: true));
        }

        foreach (var i in Enumerable.Range(0, 20))
        {
            lanes.TryAdd($"c{i}", background: false);
        }

        var group = new List<string>();
        lanes.TakeGroup(group, 16);

        // 14 commands in arrival order, then the two places kept for background writes.
        Assert.Equal([.. Enumerable.Range(0, 14).Select(i => $"c{i}"), "b0", "b1"], group);

        // With no background write waiting, commands take every place.
        var commandsOnly = new WriteLanes<string>();
        foreach (var i in Enumerable.Range(0, 20))
        {
            commandsOnly.TryAdd($"c{i}", background: false);
        }

        group.Clear();
        commandsOnly.TakeGroup(group, 16);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => $"c{i}"), group);
    }

    [Fact]
    public async Task Completed_lanes_refuse_new_writes_and_release_their_writers_once_drained()
    {
        var lanes = new WriteLanes<int>();
        lanes.TryAdd(1, background: true);
        lanes.Complete();

        Assert.False(lanes.TryAdd(2, background: false));
        Assert.True(await lanes.WaitAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        var group = new List<int>();
        lanes.TakeGroup(group, 8);
        Assert.Equal([1], group);

        // Every writer waiting on the drained lanes ends, not only the first.
        var writers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => lanes.WaitAsync())).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.All(writers, Assert.False);
    }

    [Fact]
    public async Task A_command_write_on_sqlite_waits_for_one_group_not_for_a_burst_of_background_writes()
    {
        using var data = new TempDirectory();
        var committer = new SqliteCommitter(new StorageOptions { DataDirectory = data.Path }, NullLogger<SqliteCommitter>.Instance);
        try
        {
            var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var gate = new TaskCompletionSource();
            var held = new TaskCompletionSource();
            var holding = committer.RunAsync(_ =>
            {
                held.SetResult();
                return gate.Task.Wait(TimeSpan.FromSeconds(10));
            });
            await held.Task;

            // While the writer is held: a burst of background writes, then one command's write.
            var burst = Enumerable.Range(0, 1_000).Select(i => committer.RunAsync(_ => { order.Enqueue($"b{i}"); return i; }, background: true)).ToList();
            var command = committer.RunAsync(_ => { order.Enqueue("command"); return -1; });
            gate.SetResult();

            Assert.True(await holding);
            await command.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(burst).WaitAsync(TimeSpan.FromSeconds(30));

            // The command went first in the next group; every background write was still made, in order.
            var ran = order.ToList();
            Assert.Equal("command", ran[0]);
            Assert.Equal(Enumerable.Range(0, 1_000).Select(i => $"b{i}"), ran.Skip(1));
        }
        finally
        {
            await committer.DisposeAsync();
            SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task A_units_heartbeat_is_flushed_as_a_background_write_and_its_status_change_is_not()
    {
        var company = Ids.Company("flush");
        var key = UnitKey.Of(company, "u1");
        var district = ReferenceData.Current.DistrictsById["innlandet"];
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district.Id, district.Position)]);
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(key);
        var changed = await unit.ReportStatus(UnitStatus.Available, null);
        Assert.True(changed.Changed);
        var moved = new GeoPoint(district.Position.Latitude + 0.01, district.Position.Longitude);
        await unit.Ping(moved);

        Assert.True(await Eventually.Holds(() => Task.FromResult(Writes(key).Any(w => w.Background))), "the heartbeat was not flushed within 10 s");
        var writes = Writes(key);

        // Registration and the status change: commands, someone waits for them. The flush: nobody does.
        Assert.Equal([false, false, true], writes.Select(w => w.Background));
        Assert.Equal(moved, (await unit.Get())!.Position);
    }

    private List<StorageFaults.SeenWrite> Writes(string key) =>
        [.. fixture.Faults.Seen.Where(w => w.StateName == "unit" && w.Key == key)];
}
