using Coordination.Bench.Figures;
using Microsoft.Data.Sqlite;

namespace Coordination.Bench;

/// <summary>Runs every measurement against a fresh system and reports the figures beside their goals.</summary>
public static class Driver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var smoke = args.Contains("--smoke");
        var json = args.SkipWhile(a => a != "--json").Skip(1).FirstOrDefault() ?? "bench-results.json";
        var plan = smoke ? Plan.Smoke : Plan.Full;

        // --bulletin-streams 200 runs the bulletin figure at a reduced size (a check on a busy machine;
        // its goal is judged at 1,000 streams only); --bulletin-rounds 50 issues more bulletins (to profile).
        if (Number("--bulletin-streams") is { } streams)
        {
            plan = plan with { Bulletins = plan.Bulletins with { Streams = streams } };
        }

        if (Number("--bulletin-rounds") is { } rounds)
        {
            plan = plan with { Bulletins = plan.Bulletins with { Rounds = rounds } };
        }

        // --capacity-seconds 60: a longer capacity run (to profile the server with dotnet-trace meanwhile).
        if (Number("--capacity-seconds") is { } capacitySeconds)
        {
            plan = plan with { Capacity = plan.Capacity with { Seconds = capacitySeconds } };
        }

        // --status-seconds 30: longer status rounds (to profile one kind of call; each round prints its start).
        if (Number("--status-seconds") is { } statusSeconds)
        {
            plan = plan with { Status = plan.Status with { RoundSeconds = statusSeconds } };
        }

        int? Number(string option) => args.SkipWhile(a => a != option).Skip(1).FirstOrDefault() is { } n
            ? Math.Max(1, int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))
            : null;

        // --only status,fan-out runs just those figures (the figure types' names); --server passes one
        // setting to the server process (--server --Coordination:Orleans:Dashboard=false).
        var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',') ?? [];
        bool Runs(string figure) => only.Length == 0 || only.Contains(figure);
        var serverSettings = args.Select((a, i) => (a, i)).Where(x => x.a == "--server" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray();

        // --server-env DOTNET_gcServer=0 sets an environment variable for the server processes only (repeatable).
        ServerProcess.EnvironmentSettings = [.. args.Select((a, i) => (a, i)).Where(x => x.a == "--server-env" && x.i + 1 < args.Length)
            .Select(x => args[x.i + 1].Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : ""))];
        var report = new Report();
        var root = Path.Combine(Path.GetTempPath(), "coordination-bench", Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "load");
        var dense = Path.Combine(root, "density");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(dense);
        ServerProcess.LogFolder = Path.Combine(Path.GetTempPath(), "coordination-bench-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Console.WriteLine($"Coordination benchmark ({(smoke ? "smoke" : "full")}), {Environment.ProcessorCount} cores, load {Report.Load()}, data in {root}, servers' logs in {ServerProcess.LogFolder}");
        try
        {
            var server = await ServerProcess.StartAsync(data, serverSettings);
            try
            {
                StartupFigure.ReportEmpty(server, report);
                if (Runs(StatusFigure.Name))
                {
                    await new StatusFigure(plan.Status).RunAsync(server, report);
                }

                // Before the 50,400-unit pool exists: those units go stale together five minutes after
                // they register (nobody heartbeats them), and that wave of figure changes is not fan-out.
                if (Runs(FanOutFigure.Name))
                {
                    await new FanOutFigure(plan.FanOut).RunAsync(server, report);
                }

                // Also before the pool, for the same reason: its units' staleness wave is not bulletin delivery.
                if (Runs(BulletinFanOutFigure.Name))
                {
                    await new BulletinFanOutFigure(plan.Bulletins).RunAsync(server, report);
                }

                if (Runs(ObservationFigure.Name))
                {
                    await new ObservationFigure(plan.Observations).RunAsync(server, report);
                }

                if (Runs(CapacityFigure.Name) || Runs(DurableFigure.Name) || Runs(IncidentSizeFigure.Name))
                {
                    var pool = new CapacityPool(plan.Pool);
                    await pool.RegisterAsync(server);

                    // The durable figure has always come after the capacity figure; the incident-size figure needs only the pool.
                    if (Runs(CapacityFigure.Name) || Runs(DurableFigure.Name))
                    {
                        await new CapacityFigure(plan.Capacity).RunAsync(server, report);
                    }

                    if (Runs(DurableFigure.Name))
                    {
                        await new DurableFigure(plan.Durable).RunAsync(server, report);
                    }

                    if (Runs(IncidentSizeFigure.Name))
                    {
                        await new IncidentSizeFigure(plan.IncidentSize).RunAsync(server, pool, report);
                    }
                }
            }
            finally
            {
                await server.StopAsync();
                await server.DisposeAsync();
            }

            // The cluster store, on a PostgreSQL server of its own, after the SQLite server has stopped.
            if (Runs(PostgresFigure.Name))
            {
                await new PostgresFigure(plan.Postgres).RunAsync(Path.Combine(root, "postgres"), serverSettings, report);
            }

            // Density and the start-up it leads to get a server and a store of their own, so they hold
            // exactly the units and incidents the figures name, not what the load figures left behind.
            if (Runs(DensityFigure.Name) || Runs(StartupFigure.Name))
            {
                var fresh = await ServerProcess.StartAsync(dense, serverSettings);
                try
                {
                    // Its own store starts empty: every unit the figure names is registered here.
                    await new DensityFigure(plan.Density).RunAsync(fresh, report, registeredBefore: 0);
                }
                finally
                {
                    await fresh.StopAsync();
                    await fresh.DisposeAsync();
                }

                await StartupFigure.RestartAsync(dense, serverSettings, plan.Density, report);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        report.Print();
        await report.WriteJsonAsync(json, smoke);
        Console.WriteLine($"\nwritten to {Path.GetFullPath(json)}");
        return report.Figures.Any(f => f.Value is null) ? 1 : 0;
    }
}
