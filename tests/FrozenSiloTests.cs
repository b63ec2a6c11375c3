using System.Diagnostics;
using Coordination.Api.V1;
using Coordination.Gateway;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// A silo that stops answering without going away (SIGSTOP: a long GC pause, a VM stall) in a
/// three-silo cluster on PostgreSQL: it is voted out in seconds, calls to its grains fail fast and then
/// succeed on the other silos, and when it wakes it stops without writing anything.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FrozenSiloTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string CompanyId = "frozen-co";

    // The project's clients give a call 10 s; Orleans' own defaults kept a frozen silo's grains
    // unreachable for over a minute, each call hanging until this deadline.
    private static readonly TimeSpan ClientDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_frozen_silo_is_voted_out_its_grains_answer_on_the_others_and_it_stops_without_writing_when_it_wakes()
    {
        using var data = new TempDirectory();
        var database = await postgres.CreateDatabaseAsync();
        await using var source = NpgsqlDataSource.Create(database);

        // The silo to freeze starts alone, so every grain activated now lives in its process. Its
        // heartbeats wait in memory for 8 s before they are written: the ones sent just before the
        // freeze are due while it is frozen, so it has writes to make the moment it wakes.
        var frozenPort = Ports.Free();
        await using var frozen = await SiloProcess.StartAsync(data.Path,
        [
            .. PostgresServer.NodeSettings(database),
            $"--Coordination:Orleans:SiloPort={frozenPort}",
            "--Coordination:Units:HeartbeatFlushInterval=00:00:08",
        ]);
        string[] moved = ["m0", "m1", "m2"];   // called through the other silos while it is frozen
        string[] alone = ["a0", "a1", "a2"];   // nobody calls them meanwhile
        await frozen.Company.RegisterUnitsAsync(Register(CompanyId, [.. moved.Concat(alone).Select(u => UnitAt(u, 2, "vest", 60.39, 5.32, "patrol"))]));
        foreach (var unit in moved.Concat(alone))
        {
            await frozen.Company.ReportUnitAsync(Report(CompanyId, unit, UnitStatus.Available));
        }

        await using var second = await RunningNode.StartAsync(data.Path, PostgresServer.NodeSettings(database));
        await using var third = await RunningNode.StartAsync(data.Path, PostgresServer.NodeSettings(database));
        await using var gateway = await StandaloneGatewayHost.StartAsync(data, database);
        using var tokens = new TestTokens(data.Path);
        CompanyService.CompanyServiceClient[] doors = [second.Company, third.Company, tokens.CompanyClient(gateway.Channel)];
        Assert.Equal(3, await ActiveSilos(source));

        // Heartbeats the frozen silo holds in memory, then the freeze.
        foreach (var unit in moved.Concat(alone))
        {
            Assert.False((await frozen.Company.ReportUnitAsync(new UnitReport { CompanyId = CompanyId, UnitId = unit })).Durable);
        }

        var stored = await UnitRows(source);
        var heartbeatsSent = Stopwatch.StartNew();
        await frozen.FreezeAsync();
        var sinceFreeze = Stopwatch.StartNew();

        // While the membership table is watched, each moved unit is called (status changes) through
        // the other doors in turn until one answers, as a client retries.
        var declaredDead = WhenDeclaredDead(source, frozenPort, sinceFreeze, TimeSpan.FromSeconds(40));
        var calls = await Task.WhenAll(moved.Select((unit, i) => CallUntilAnswered(doors, i, unit, sinceFreeze, TimeSpan.FromSeconds(40))));
        var deadAfter = await declaredDead;
        output.WriteLine($"declared dead after {deadAfter}");
        foreach (var (unit, attempts) in moved.Zip(calls))
        {
            output.WriteLine($"{unit}: {Describe(attempts)}");
        }

        Assert.True(deadAfter is { } d && d <= TimeSpan.FromSeconds(15), $"the frozen silo was declared dead after {deadAfter?.ToString() ?? "more than 40 s"}; the bound is 15 s");
        foreach (var (unit, attempts) in moved.Zip(calls))
        {
            var answered = attempts[^1];
            Assert.True(answered.Code == StatusCode.OK, $"{unit}: no call answered within 40 s of the freeze: {Describe(attempts)}");
            Assert.True(answered.At <= TimeSpan.FromSeconds(20), $"{unit}: first answered {answered.At} after the freeze; the bound is 20 s: {Describe(attempts)}");

            // Calls that failed meanwhile failed fast, as UNAVAILABLE (retry), not at the client's deadline.
            Assert.All(attempts[..^1], a => Assert.True(
                a.Code == StatusCode.Unavailable && a.Took < ClientDeadline - TimeSpan.FromSeconds(1),
                $"{unit}: a call failed with {a.Code} after {a.Took}: {Describe(attempts)}"));
        }

        // What the other silos wrote for the moved units (each a status change), before the frozen one wakes.
        var movedOn = await UnitRows(source);
        Assert.All(moved, u => Assert.True(movedOn[u] > stored[u], $"{u} was not written by the other silos"));
        Assert.All(alone, u => Assert.Equal(stored[u], movedOn[u]));

        // Its heartbeats' flush is overdue by now: it has writes to make the moment it runs again.
        var due = TimeSpan.FromSeconds(9) - heartbeatsSent.Elapsed;
        if (due > TimeSpan.Zero)
        {
            await Task.Delay(due);
        }

        await frozen.ResumeAsync();
        var sinceWake = Stopwatch.StartNew();
        Assert.True(await frozen.ExitsWithin(TimeSpan.FromSeconds(20)), $"the woken silo did not stop within 20 s:\n{Tail(frozen.Output)}");
        Assert.NotEqual(0, frozen.ExitCode);
        output.WriteLine($"the woken silo exited with {frozen.ExitCode} after {sinceWake.Elapsed}:");
        foreach (var line in frozen.Output.Split('\n').Where(l => l.Contains("stood still", StringComparison.Ordinal) || l.Contains("Refused to", StringComparison.Ordinal) || l.Contains("I have been told I am dead", StringComparison.Ordinal)))
        {
            output.WriteLine(line.Length > 300 ? line[..300] : line);
        }

        // Nothing it held in memory reached storage: not its heartbeats of the units the others took
        // over (the storage's versions would refuse those), nor of the units nobody touched, which
        // nothing else would refuse.
        var after = await UnitRows(source);
        Assert.All(moved.Concat(alone), u => Assert.Equal(movedOn[u], after[u]));

        // The cluster goes on without it.
        Assert.Equal(2, await ActiveSilos(source));
        var report = await doors[0].ReportUnitAsync(Report(CompanyId, alone[0], UnitStatus.Unavailable), deadline: DateTime.UtcNow + ClientDeadline);
        Assert.True(report.Changed);
    }

    private sealed record Attempt(TimeSpan At, TimeSpan Took, StatusCode Code);

    private static async Task<List<Attempt>> CallUntilAnswered(CompanyService.CompanyServiceClient[] doors, int first, string unit, Stopwatch sinceFreeze, TimeSpan bound)
    {
        var attempts = new List<Attempt>();
        for (var i = first; sinceFreeze.Elapsed < bound; i++)
        {
            var started = sinceFreeze.Elapsed;
            try
            {
                await doors[i % doors.Length].ReportUnitAsync(Report(CompanyId, unit, UnitStatus.Unavailable), deadline: DateTime.UtcNow + ClientDeadline);
                attempts.Add(new Attempt(sinceFreeze.Elapsed, sinceFreeze.Elapsed - started, StatusCode.OK));
                return attempts;
            }
            catch (RpcException e)
            {
                attempts.Add(new Attempt(sinceFreeze.Elapsed, sinceFreeze.Elapsed - started, e.StatusCode));
            }

            await Task.Delay(100);
        }

        return attempts;
    }

    private static string Describe(List<Attempt> attempts) =>
        string.Join("; ", attempts.Select(a => $"{a.Code} at {a.At.TotalSeconds:0.0} s after {a.Took.TotalSeconds:0.0} s"));

    /// <summary>How long after the freeze the membership table said Dead (Orleans' SiloStatus.Dead = 6) for the silo on that port.</summary>
    private static async Task<TimeSpan?> WhenDeclaredDead(NpgsqlDataSource source, int siloPort, Stopwatch sinceFreeze, TimeSpan bound)
    {
        while (sinceFreeze.Elapsed < bound)
        {
            await using var status = source.CreateCommand("SELECT Status FROM OrleansMembershipTable WHERE Port = $1 ORDER BY Generation DESC LIMIT 1;");
            status.Parameters.Add(new NpgsqlParameter<int> { TypedValue = siloPort });
            if (await status.ExecuteScalarAsync() is 6)
            {
                return sinceFreeze.Elapsed;
            }

            await Task.Delay(100);
        }

        return null;
    }

    private static async Task<long> ActiveSilos(NpgsqlDataSource source)
    {
        await using var count = source.CreateCommand("SELECT COUNT(*) FROM OrleansMembershipTable WHERE Status = 3;");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Each unit's stored version (the storage's ETag), read from the database.</summary>
    private static async Task<Dictionary<string, int>> UnitRows(NpgsqlDataSource source)
    {
        await using var read = source.CreateCommand("SELECT GrainIdExtensionString, Version FROM OrleansStorage WHERE position($1 in GrainIdExtensionString) > 0;");
        read.Parameters.Add(new NpgsqlParameter<string> { TypedValue = CompanyId + "/" });
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new Dictionary<string, int>();
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)[(reader.GetString(0).LastIndexOf('/') + 1)..]] = reader.GetInt32(1);
        }

        return rows;
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];
}
