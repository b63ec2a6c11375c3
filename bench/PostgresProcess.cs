using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Coordination.Bench;

/// <summary>
/// A PostgreSQL server of the harness's own (initdb + pg_ctl in its data folder, on a free loopback
/// port), for the figures on the cluster store. Its CPU time is read from /proc, the server process
/// and its backends together, so a figure can put the database's cost beside the silo's. As root the
/// server runs as the postgres user (initdb refuses root). The binaries are Debian's `postgresql`
/// package; the test suite installs it on a fresh machine, so after `dotnet test` they are there.
/// </summary>
internal sealed class PostgresProcess : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _folder;
    private readonly int _postmaster;

    private PostgresProcess(string bin, string folder, int port, int postmaster)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
        _postmaster = postmaster;
    }

    public int Port { get; }

    /// <summary>The installed server's bin folder, newest version first; null when PostgreSQL is not installed.</summary>
    public static string? Binaries() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql")
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
            .FirstOrDefault()
        : null;

    public static async Task<PostgresProcess> StartAsync(string bin, string folder, int port)
    {
        Directory.CreateDirectory(folder);
        if (RunningAsRoot)
        {
            await Run("chown", ["-R", "postgres:postgres", folder]);
        }

        var data = Path.Combine(folder, "pgdata");
        await Tool(bin, "initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);

        // Durable as in production (fsync, synchronous_commit: the defaults); enough connections for two
        // silos' pools and the raw loop beside them.
        await Tool(bin, "pg_ctl", ["-D", data, "-l", Path.Combine(folder, "postgres.log"), "-w", "-t", "60", "-o",
            $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c max_connections=400", "start"]);
        var postmaster = int.Parse((await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")))[0], CultureInfo.InvariantCulture);
        return new PostgresProcess(bin, folder, port, postmaster);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=15";

    /// <summary>
    /// CPU time of the server and its backends so far: live processes' own time, plus what the
    /// postmaster has collected from backends that already exited (a closed connection's backend).
    /// </summary>
    public TimeSpan CpuTime
    {
        get
        {
            long ticks = 0;
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), CultureInfo.InvariantCulture, out var pid))
                {
                    continue; // not a process (self, sys, …)
                }

                string[] fields;
                try
                {
                    var text = File.ReadAllText(Path.Combine(process, "stat"));

                    // After the command name in brackets (which may hold spaces): state, ppid, … utime is the 12th field on.
                    fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // a process that ended meanwhile
                }

                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid == _postmaster || parent == _postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    if (pid == _postmaster)
                    {
                        ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                    }
                }
            }

            // Linux reports in clock ticks of 1/100 s (USER_HZ) on every architecture .NET runs on.
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await Tool(_bin, "pg_ctl", ["-D", Path.Combine(_folder, "pgdata"), "-m", "fast", "-w", "-t", "60", "stop"]);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"  (PostgreSQL did not stop cleanly: {e.Message})");
        }
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static Task Tool(string bin, string tool, string[] arguments) => RunningAsRoot
        ? Run("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. arguments])
        : Run(Path.Combine(bin, tool), arguments);

    private static async Task Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
