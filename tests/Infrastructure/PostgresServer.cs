using System.Diagnostics;
using Npgsql;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the cluster tests, started by the tests themselves in a temporary
/// folder on a free loopback port (initdb + pg_ctl), and stopped and deleted at the end. Each test
/// takes a database of its own from it. As root the server runs as the postgres user (initdb
/// refuses root). On a machine without PostgreSQL the first use installs it (<see cref="Prerequisites"/>).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private string _bin = "";
    private string Data => Path.Combine(_folder.Path, "pgdata");
    private string Log => Path.Combine(_folder.Path, "postgres.log");

    public int Port { get; } = Ports.Free();

    public async Task InitializeAsync()
    {
        _bin = await Prerequisites.PostgreSqlAsync();
        if (RunningAsRoot)
        {
            // The server's user must own its folder and be able to reach it.
            await Run("chown", $"-R postgres:postgres {_folder.Path}");
            await Run("chmod", $"755 {Path.GetDirectoryName(_folder.Path)}");
        }

        await RunServerTool("initdb", $"-D {Data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync");
        await RunServerTool("pg_ctl", $"-D {Data} -l {Log} -w -t 60 -o \"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_folder.Path}\" start");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RunServerTool("pg_ctl", $"-D {Data} -m fast -w -t 60 stop");
        }
        finally
        {
            _folder.Dispose();
        }
    }

    /// <summary>Stops the server at once, as a crash would (no checkpoint; it recovers from its log on start).</summary>
    public Task CrashAsync() => RunServerTool("pg_ctl", $"-D {Data} -m immediate -w -t 60 stop");

    /// <summary>Starts the server again on the same port after <see cref="CrashAsync"/>.</summary>
    public async Task StartAgainAsync()
    {
        await RunServerTool("pg_ctl", $"-D {Data} -l {Log} -w -t 60 -o \"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_folder.Path}\" start");

        // The pools of this process hold connections the crash broke; the next tests must not inherit them.
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A new, empty database on this server; its connection string.</summary>
    /// <summary>A node's settings for a cluster on <paramref name="database"/> (from <see cref="CreateDatabaseAsync"/>).</summary>
    public static string[] NodeSettings(string database) =>
        ["--Coordination:Storage:Provider=PostgreSql", $"--Coordination:Storage:ConnectionString={database}"];

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"coordination_{Guid.NewGuid():N}";

        // The tests sharing this server run one after another, and each leaves its pools' idle connections
        // open for minutes after its hosts stop: enough of them and the next test finds the server's 100
        // connections taken ("too many clients already"). They are closed here, before the next one starts.
        NpgsqlConnection.ClearAllPools();
        // Unpooled: this server is shared by the collection and a test may crash and restart it, which
        // leaves a pooled connection to the maintenance database broken (EndOfStream on the next test's
        // CREATE DATABASE); each test's own database has a pool of its own.
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=15";

    private static bool RunningAsRoot => Environment.UserName == "root";

    private Task RunServerTool(string tool, string arguments) => RunningAsRoot
        ? Run("runuser", $"-u postgres -- {Path.Combine(_bin, tool)} {arguments}")
        : Run(Path.Combine(_bin, tool), arguments);

    private async Task Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = File.Exists(Log) ? await File.ReadAllTextAsync(Log) : "";
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {await output}{await error}{log}");
        }
    }
}
