using System.Diagnostics;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// A small RAM file system of a fixed size, mounted in a temp folder: a disk that really fills up,
/// with the kernel's own ENOSPC, for the database exactly as in production. Unmounted on dispose.
/// Mounting needs root (CAP_SYS_ADMIN); where it is refused the test fails and says how to fix it,
/// it is never skipped.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly List<string> _fillers = [];

    /// <param name="owner">The user that owns the file system's root (PostgreSQL's server user for a tablespace).</param>
    public Tmpfs(int megabytes, string? owner = null)
    {
        Path = _folder.Path;
        var (code, output) = Run("mount", $"-t tmpfs -o size={megabytes}m,mode={(owner is null ? "0755" : "0700")} coordination-tmpfs {Path}");
        if (code == 0 && owner is not null)
        {
            (code, output) = Run("chown", $"{owner}:{owner} {Path}");
            // Its parents must let the owner through (the temp folder is created by root).
            Run("chmod", $"755 {System.IO.Path.GetDirectoryName(Path)}");
        }

        if (code != 0)
        {
            _folder.Dispose();
            throw new InvalidOperationException(
                $"could not mount a {megabytes} MiB tmpfs on {Path} (mount said: {output.Trim()}). The disk-full tests need a real small disk: " +
                "run the tests as root, or give the container CAP_SYS_ADMIN (docker run --cap-add SYS_ADMIN, or --privileged).");
        }
    }

    public string Path { get; }

    /// <summary>Bytes still free on the file system.</summary>
    public long Free => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Writes a filler file until the file system refuses with "no space left on device"; returns its path.</summary>
    public string Fill()
    {
        var filler = System.IO.Path.Combine(Path, $"filler-{_fillers.Count}");
        _fillers.Add(filler);
        var block = new byte[4096];
        Random.Shared.NextBytes(block);
        using var file = new FileStream(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1);
        try
        {
            while (true)
            {
                file.Write(block);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full, which is the point.
        }

        return filler;
    }

    /// <summary>Deletes every filler: space is freed, as an operator would.</summary>
    public void DeleteFillers()
    {
        foreach (var filler in _fillers)
        {
            File.Delete(filler);
        }

        _fillers.Clear();
    }

    public void Dispose()
    {
        // Lazy, so a process still holding a file open (a node that failed to stop) cannot keep the mount alive.
        Run("umount", $"-l {Path}");
        _folder.Dispose();
    }

    private static (int Code, string Output) Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
