using System.Net;
using System.Net.Sockets;

namespace Coordination.Tests.Infrastructure;

/// <summary>Loopback ports for the silos, gateways and servers the tests start.</summary>
internal static class Ports
{
    // Below the kernel's ephemeral range (32768-60999 here), which outgoing connections and every
    // "port 0" listener (Chromium's DevTools, for one) draw from: a port picked there and bound a
    // moment later could be taken meanwhile. Each test process starts at its own offset.
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Random.Shared.Next(Count);

    /// <summary>
    /// A port free right now on loopback, never handed out twice by this process. Orleans binds with
    /// address reuse and would not notice a clash, so every silo and gateway in the tests gets its own.
    /// </summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try the next one.
            }
        }

        throw new InvalidOperationException($"no free loopback port between {First} and {First + Count}");
    }
}
