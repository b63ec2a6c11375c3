using System.Diagnostics;
using Coordination.Api.V1;

namespace Coordination.Bench;

/// <summary>The ways the figures put load on the server: closed and open loops, a status feed, closing incidents on the side.</summary>
internal static class Load
{
    /// <summary>A closed loop: each client calls again as soon as its call returns.</summary>
    public static Task<(double Rate, double CpuMicrosPerCall, int Calls)> Closed(ServerProcess server, int clients, double seconds, Func<int, Task> call) =>
        Closed(server, clients, seconds, async i =>
        {
            await call(i);
            return true;
        });

    /// <summary>A closed loop counting only the calls that did what they were for (a request filled).</summary>
    public static async Task<(double Rate, double CpuMicrosPerCall, int Calls)> Closed(ServerProcess server, int clients, double seconds, Func<int, Task<bool>> call)
    {
        var calls = 0;
        var cpu = server.CpuTime;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var i = c;
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                var counted = await call(i);
                i += clients;
                if (counted)
                {
                    Interlocked.Increment(ref calls);
                }
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var cpuMicros = (server.CpuTime - cpu).TotalMicroseconds;
        return (calls / elapsed, cpuMicros / Math.Max(1, calls), calls);
    }

    /// <summary>
    /// An open loop at a fixed total rate shared by the clients. Each call is timed from when it was
    /// due, not from when it was sent, so a stalled server cannot hide its queue. Each latency comes
    /// with the second of the run its call was due in, to tell a stall (slow calls bunched in time)
    /// from a queue (slow calls spread through the run).
    /// </summary>
    public static async Task<(List<double> LatenciesMs, int Unfilled, List<double> DueSeconds)> Open(double rate, int clients, double seconds, Func<int, Task<bool>>[] call)
    {
        var latencies = new List<double>();
        var dueSeconds = new List<double>();
        var unfilled = 0;
        var interval = TimeSpan.FromSeconds(clients / rate);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            var mine = new List<Task>();
            for (var j = 0; ; j++)
            {
                var due = (interval * j) + TimeSpan.FromSeconds(interval.TotalSeconds * c / clients);
                if (due.TotalSeconds >= seconds)
                {
                    break;
                }

                var wait = due - watch.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var index = (j * clients) + c;
                mine.Add(Task.Run(async () =>
                {
                    var filled = await call[c](index);
                    var latency = (watch.Elapsed - due).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(latency);
                        dueSeconds.Add(due.TotalSeconds);
                        unfilled += filled ? 0 : 1;
                    }
                }));
            }

            await Task.WhenAll(mine);
        }));
        return (latencies, unfilled, dueSeconds);
    }

    /// <summary>One client-streaming feed of the same status for every unit; a rejected report stops the run.</summary>
    public static async Task Feed(CompanyService.CompanyServiceClient client, IEnumerable<string> units, UnitStatus status)
    {
        using var feed = client.StreamUnitReports();
        foreach (var unit in units)
        {
            await feed.RequestStream.WriteAsync(new UnitReport { UnitId = unit, Status = status });
        }

        await feed.RequestStream.CompleteAsync();
        var summary = await feed;
        if (summary.Rejected > 0)
        {
            throw new InvalidOperationException($"feed rejected {summary.Rejected} reports: {summary.Rejections.FirstOrDefault()}");
        }
    }

    /// <summary>Closes a finished incident without waiting: part of the load, not of any measured call.</summary>
    public static void CloseLater(PoliceService.PoliceServiceClient police, string incidentId) =>
        _ = police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incidentId, Reason = "benchmark incident done" }).ResponseAsync
            .ContinueWith(t => t.Exception, TaskScheduler.Default);
}
