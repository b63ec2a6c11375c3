using System.Net;
using System.Net.Sockets;

namespace Coordination.Tests.Infrastructure;

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

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "coordination-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process we started may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}

public static class Eventually
{
    /// <summary>Polls until the condition holds or the bound passes; returns the last observation for the assertion message.</summary>
    public static async Task<bool> Holds(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>Fresh ids per test, so tests sharing a cluster never see each other's units.</summary>
public static class Ids
{
    public static string Company(string hint = "co") => $"{hint}-{Guid.NewGuid():N}"[..Math.Min(40, hint.Length + 33)];
}
