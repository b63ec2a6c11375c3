using System.Runtime.InteropServices;

namespace Coordination.Gateway.Hosting;

/// <summary>How the programs (the single node, the standalone gateway) run their host.</summary>
public static class ProcessRun
{
    /// <summary>
    /// Runs the host until Ctrl+C or SIGTERM; the process's exit code. A stop the operator asks for
    /// while the host is still starting (systemd stopping a unit it has just started, Ctrl+C during
    /// start-up) cancels the start, and ends as any stop does: exit code 0, with "Stopped during
    /// start-up" as the last line (Orleans and the host log the cancelled start above it). Only a
    /// signal makes it a stop: a start that fails on its own — a hosted service that stops the host,
    /// storage that cannot be opened — still ends with its exception and a non-zero exit code, so a
    /// supervisor restarts it. A node that never answered has acknowledged nothing.
    /// </summary>
    public static async Task<int> RunAsync(WebApplication app)
    {
        // Taken before the run: once it ends the host has disposed its services.
        var logger = app.Logger;
        var signalled = false;
        void Stop(PosixSignalContext _) => Volatile.Write(ref signalled, true);

        // Only noted here; the host's console lifetime still handles each signal (this does not cancel it).
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        try
        {
            await app.RunAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansLifecycleCanceledException && Volatile.Read(ref signalled))
        {
            // Orleans throws its own type when the stop lands between start stages, a cancellation otherwise.
            logger.LogWarning("Stopped during start-up: a stop was requested before it was ready");
        }

        return 0;
    }
}
