using System.Runtime.InteropServices;
using Coordination.Cli;

// A command that runs until stopped (feed --every, bulletin watch, observation watch and feedback) ends cleanly on Ctrl+C or kill (SIGTERM), with
// exit code 0; any other command is ended by the signal as usual.
using var stop = new CancellationTokenSource();
var loop = Commands.RunsUntilStopped(args);
void Stop(PosixSignalContext signal)
{
    signal.Cancel = loop;
    stop.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
return await Commands.RunAsync(args, Console.Out, Console.Error, stop.Token);
