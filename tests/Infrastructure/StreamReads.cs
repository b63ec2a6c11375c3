using Grpc.Core;

namespace Coordination.Tests.Infrastructure;

/// <summary>Bounded reads of a server stream: a test never waits on a stream without a limit.</summary>
internal static class StreamReads
{
    public static async Task<T> Next<T>(AsyncServerStreamingCall<T> call, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token), "the stream ended");
        return call.ResponseStream.Current;
    }

    /// <summary>
    /// The picture already read if it shows what is wanted, else the next one that does. For a change
    /// made before the stream was opened: the stream's first picture may already show it, and then no
    /// later picture need come at all (a quiet stream only repeats itself every 30 s).
    /// </summary>
    public static Task<T> ThisOrNextWhere<T>(AsyncServerStreamingCall<T> call, T alreadyRead, Func<T, bool> wanted, TimeSpan within) =>
        wanted(alreadyRead) ? Task.FromResult(alreadyRead) : NextWhere(call, wanted, within);

    public static async Task<T> NextWhere<T>(AsyncServerStreamingCall<T> call, Func<T, bool> wanted, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (await call.ResponseStream.MoveNext(timeout.Token))
        {
            if (wanted(call.ResponseStream.Current))
            {
                return call.ResponseStream.Current;
            }
        }

        throw new InvalidOperationException("the stream ended");
    }
}
