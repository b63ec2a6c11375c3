using System.Net;
using System.Net.Sockets;

namespace Coordination.Tests.Infrastructure;

internal static class Ports
{
    /// <summary>
    /// A port free right now on loopback. Orleans binds with address reuse and would not notice a
    /// clash, so every silo and gateway in the tests gets its own port this way.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
