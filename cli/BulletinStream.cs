using Coordination.Api.V1;
using Grpc.Core;

namespace Coordination.Cli;

/// <summary>
/// coord bulletin watch: the company's bulletin feed, one line per event with its sequence number
/// first, so whoever stops it can go on with --after and the last number printed. When the gateway
/// asks it to (it fell behind) or the stream breaks after it was running (a node restarting), it
/// reconnects after the last sequence received by itself, as feed --every carries on through a
/// restart. A stream that never got going (a wrong address, a token refused) is an error at once.
/// </summary>
internal static class BulletinStream
{
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(Connection api, string companyId, long after, TextWriter output, TextWriter error, CancellationToken stop)
    {
        var running = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var watch = api.Bulletins.WatchBulletins(new WatchBulletinsRequest { CompanyId = companyId, AfterSequence = after }, cancellationToken: stop);
                var restartTold = false;
                await foreach (var e in watch.ResponseStream.ReadAllAsync(stop))
                {
                    if (e.Restarted && !restartTold)
                    {
                        await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} the feed could not go on after {after} (too far back): every outstanding bulletin again");
                        restartTold = true;
                    }

                    running = true;
                    await output.WriteLineAsync($"{e.Sequence,6} {e.Kind,-11} {Lines.Bulletin(e.Bulletin)}");
                    after = e.Sequence;
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
