namespace Coordination.Gateway.Hosting;

/// <summary>How the programs (the single node, the standalone gateway) run their host.</summary>
public static class ProcessRun
{
    /// <summary>
    /// Runs the host until Ctrl+C or SIGTERM; the process's exit code. A stop that arrives while the
    /// host is still starting cancels the start: that is a stop the operator asked for (systemd
    /// stopping a unit it has just started, Ctrl+C during start-up), so it ends as any other stop does
    /// — one line in the log and exit code 0 — not as a crash with a stack trace. A node that never
    /// answered has acknowledged nothing.
    /// </summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        // Taken before the run: once it ends the host has disposed its services, and these with them.
        var stopping = app.Lifetime.ApplicationStopping;
        var logger = app.Logger;
        try
        {
            await app.RunAsync();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            logger.LogWarning("Stopped during start-up: a stop was requested before it was ready");
        }

        return 0;
    }
}
