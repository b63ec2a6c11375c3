using Grpc.Core;

namespace Coordination.Cli;

/// <summary>
/// A watch command's stream: one line per event with its sequence number first, so whoever stops it
/// can go on with --after and the last number printed. When the gateway asks it to (it fell behind)
/// or the stream breaks after it was running (a node restarting), it reconnects after the last
/// sequence received by itself, as feed --every carries on through a restart. A stream that never
/// got going (a wrong address, a token refused) is an error at once.
/// </summary>
internal static class EventStream
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    /// <summary>One event as the stream prints it: its number to resume from, whether the feed started again, and its line.</summary>
    public readonly record struct Printed(long Sequence, bool Restarted, string Line);

    /// <param name="api">The connection, to name it when the stream is lost.</param>
    /// <param name="open">Starts the call after a sequence number.</param>
    /// <param name="print">What an event prints.</param>
    /// <param name="startedAgain">What the stream sends again when it cannot go on from --after ("every outstanding bulletin").</param>
    /// <param name="after">The last sequence number received (0: from the start).</param>
    /// <param name="output">Where the events go.</param>
    /// <param name="error">Where reconnections are told.</param>
    /// <param name="stop">Ctrl+C, kill or --seconds: the normal end.</param>
    public static async Task RunAsync<TEvent>(Connection api, Func<long, CancellationToken, AsyncServerStreamingCall<TEvent>> open, Func<TEvent, Printed> print,
        string startedAgain, long after, TextWriter output, TextWriter error, CancellationToken stop)
    {
        var running = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var watch = open(after, stop);
                var restartTold = false;
                await foreach (var e in watch.ResponseStream.ReadAllAsync(stop))
                {
                    var printed = print(e);
                    if (printed.Restarted && !restartTold)
                    {
                        await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} the feed could not go on after {after} (too far back): {startedAgain} again");
                        restartTold = true;
                    }

                    running = true;
                    await output.WriteLineAsync(printed.Line);
                    after = printed.Sequence;
                }

                // The gateway ended the stream (it is stopping): go on from the last event on the next one.
                await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} the stream ended; reconnecting after {after} in {Pause.TotalSeconds:0} s");
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Ctrl+C, kill or --seconds: the normal end of a watch.
                return;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted || (running && e.StatusCode == StatusCode.Unavailable))
            {
                await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} stream lost ({api.Describe(e)}); reconnecting after {after} in {Pause.TotalSeconds:0} s");
            }
            catch (RpcException e) when (after > 0)
            {
                // Shell prints the status as one line; it also says how to go on without missing anything.
                throw new RpcException(new Status(e.StatusCode, $"{e.Status.Detail} (resume with --after {after})", e.Status.DebugException), e.Trailers);
            }

            try
            {
                await Task.Delay(Pause, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
