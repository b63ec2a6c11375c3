using System.Diagnostics;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// Programs the tests drive that the .NET SDK does not bring: PostgreSQL's server binaries and a
/// headless Chromium. On a fresh machine of this kind neither is there, so the first test that needs
/// one installs it from Debian's packages (as root directly, otherwise through password-less sudo).
/// A prerequisite that cannot be obtained fails the test with the command that fixes it: a test that
/// skipped itself would let a broken dashboard or cluster pass unnoticed.
/// </summary>
public static class Prerequisites
{
    /// <summary>Apt takes a minute or two for Chromium on a quiet machine; three engineers' builds share these cores.</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(20);

    // Test classes run in parallel within one test process, and several test processes (other
    // worktrees, other engineers) may start at once: the in-process lock keeps this process's
    // classes from asking twice, the file lock keeps processes from running apt side by side
    // (dpkg would refuse the second one outright).
    private static readonly SemaphoreSlim InProcess = new(1, 1);
    private static readonly string MachineLock = Path.Combine(Path.GetTempPath(), $"coordination-tests-prerequisites-{Environment.UserName}.lock");

    public static readonly Prerequisite PostgreSql = new(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres under /usr/lib/postgresql/*/bin)",
        () => PostgreSqlBinaries() is not null,
        ["postgresql"]);

    public static readonly Prerequisite Chromium = new(
        $"Chromium ({Infrastructure.Chromium.Executable})",
        () => File.Exists(Infrastructure.Chromium.Executable),
        ["chromium"]);

    /// <summary>The newest installed PostgreSQL's bin folder, installing PostgreSQL first when it is missing.</summary>
    public static async Task<string> PostgreSqlAsync()
    {
        await EnsureAsync(PostgreSql, AptInstallAsync, MachineLock);
        return PostgreSqlBinaries()!;
    }

    public static Task ChromiumAsync() => EnsureAsync(Chromium, AptInstallAsync, MachineLock);

    /// <summary>
    /// Makes sure the prerequisite is there: checks, and when it is missing takes both locks, checks
    /// again (another class or process may have installed it meanwhile) and installs. Throws with the
    /// fix when it is still missing.
    /// </summary>
    public static async Task EnsureAsync(Prerequisite prerequisite, Func<IReadOnlyList<string>, Task<Installation>> install, string lockFile)
    {
        if (prerequisite.IsPresent())
        {
            return;
        }

        await InProcess.WaitAsync();
        try
        {
            using var machineLock = await LockFileAsync(lockFile, InstallTimeout, prerequisite);
            if (prerequisite.IsPresent())
            {
                return;
            }

            var installation = await install(prerequisite.Packages);
            if (!prerequisite.IsPresent())
            {
                throw new InvalidOperationException(
                    $"{prerequisite.Name} is missing and the tests could not install it: {(installation.Succeeded ? "the install reported success, yet it is still not there" : installation.Outcome)}\n"
                    + $"Fix: install it once as root, then run the tests again:\n    {FixCommand(prerequisite.Packages)}\n"
                    + "(.ci/run does this; on a machine without Debian's apt, install the same program with its package manager.)");
            }
        }
        finally
        {
            InProcess.Release();
        }
    }

    public static string FixCommand(IReadOnlyList<string> packages) =>
        $"sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y {string.Join(' ', packages)}";

    /// <summary>apt-get update, then install; as root directly, otherwise through sudo without a password prompt.</summary>
    public static async Task<Installation> AptInstallAsync(IReadOnlyList<string> packages)
    {
        if (!File.Exists("/usr/bin/apt-get"))
        {
            return new Installation(false, "this machine has no apt-get");
        }

        var root = Environment.UserName == "root";
        if (!root && !File.Exists("/usr/bin/sudo"))
        {
            return new Installation(false, $"the tests run as {Environment.UserName}, not root, and sudo is not installed");
        }

        // Wait for another apt (an engineer's, unattended upgrades) instead of failing on dpkg's lock.
        string[] wait = ["-o", "DPkg::Lock::Timeout=600"];
        var update = await RunAsync(root, ["apt-get", .. wait, "update", "-qq"]);
        if (update.ExitCode != 0)
        {
            return new Installation(false, $"apt-get update failed ({update.ExitCode}): {update.Output}");
        }

        var started = Stopwatch.StartNew();
        var installed = await RunAsync(root, ["apt-get", .. wait, "install", "-y", "-qq", .. packages]);
        Console.Error.WriteLine($"[tests] apt-get install {string.Join(' ', packages)}: exit {installed.ExitCode} after {started.Elapsed.TotalSeconds:F0} s");
        return installed.ExitCode == 0
            ? new Installation(true, "installed")
            : new Installation(false, $"apt-get install {string.Join(' ', packages)} failed ({installed.ExitCode}): {installed.Output}");
    }

    private static string? PostgreSqlBinaries() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql")
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")) && File.Exists(Path.Combine(bin, "postgres")))
            .OrderBy(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
            .LastOrDefault()
        : null;

    private static async Task<(int ExitCode, string Output)> RunAsync(bool root, string[] command)
    {
        var start = new ProcessStartInfo(root ? command[0] : "sudo")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!root)
        {
            // -n: fail at once rather than wait for a password nobody will type.
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("env");
            start.ArgumentList.Add("DEBIAN_FRONTEND=noninteractive");
            start.ArgumentList.Add(command[0]);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {InstallTimeout.TotalMinutes} minutes");
        }

        var text = (await output + await error).Trim();
        return (process.ExitCode, text.Length > 2000 ? "..." + text[^2000..] : text);
    }

    /// <summary>An exclusive lock on a file (flock on Linux), held until disposed; polled so a stuck holder ends in a clear failure.</summary>
    private static async Task<FileStream> LockFileAsync(string path, TimeSpan timeout, Prerequisite prerequisite)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                await Task.Delay(500);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException(
                    $"{prerequisite.Name} is missing, and another process has held {path} for {timeout.TotalMinutes} minutes while installing: {e.Message}\n"
                    + $"Fix: check that no apt-get hangs, or install it by hand: {FixCommand(prerequisite.Packages)}", e);
            }
        }
    }
}
