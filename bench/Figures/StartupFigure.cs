namespace Coordination.Bench.Figures;

/// <summary>Process start to SERVING (gRPC health), on an empty store and on the store the density figure filled.</summary>
internal static class StartupFigure
{
    public const string Name = "start-up";

    /// <summary>The server the harness started first, on an empty store: every run reports it.</summary>
    public static void ReportEmpty(ServerProcess server, Report report) =>
        report.Add("start-up", "process start to SERVING, empty store", server.StartupTime.TotalSeconds, "s");

    /// <summary>Starts a server on the density figure's store, reports how long it took, and stops it.</summary>
    public static async Task RestartAsync(string dataDirectory, IEnumerable<string> serverSettings, DensityFigure.Settings density, Report report)
    {
        var restarted = await ServerProcess.StartAsync(dataDirectory, serverSettings);
        report.Add("start-up", $"process start to SERVING, store with {density.Units:N0} units", restarted.StartupTime.TotalSeconds, "s");
        await restarted.StopAsync();
        await restarted.DisposeAsync();
    }
}
