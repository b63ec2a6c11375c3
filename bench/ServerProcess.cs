using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Coordination.Api;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Coordination.Bench;

/// <summary>The system under test in its own process, so its CPU time and memory are its own.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly DevelopmentTokens _tokens;
    private readonly HttpClient _http;

    private ServerProcess(Process process, StreamWriter log, string dataDirectory, int grpcPort, int httpPort, TimeSpan startup)
    {
        _process = process;
        _log = log;
        DataDirectory = dataDirectory;
        StartupTime = startup;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
        });
        _tokens = DevelopmentTokens.Load(Path.Combine(dataDirectory, "dev-signing-key.pem"));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
    }

    /// <summary>Where the servers' logs go; kept after the run, when the data is deleted.</summary>
    public static string LogFolder { get; set; } = Path.Combine(Path.GetTempPath(), "coordination-bench-logs");

    public string DataDirectory { get; }
    public TimeSpan StartupTime { get; }
    public GrpcChannel Channel { get; }

    /// <summary>
    /// Environment variables for the server processes only (the harness keeps its own): the runtime's
    /// settings, such as the garbage collector's (DOTNET_gcServer), are read from the environment.
    /// </summary>
    public static IReadOnlyList<(string Name, string Value)> EnvironmentSettings { get; set; } = [];

    public static async Task<ServerProcess> StartAsync(string dataDirectory, IEnumerable<string>? settings = null)
    {
        var grpcPort = FreePort();
        var httpPort = FreePort();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in EnvironmentSettings)
        {
            info.Environment[name] = value;
        }

        foreach (var argument in new[]
        {
            typeof(ServerProcess).Assembly.Location, "serve",
            $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{grpcPort}",
            $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{httpPort}",
            $"--Coordination:Storage:DataDirectory={dataDirectory}",
            $"--Coordination:Orleans:SiloPort={FreePort()}",
            $"--Coordination:Orleans:GatewayPort={FreePort()}",
            // Throughput is measured without per-caller limits in the way; they are measured by the tests.
            "--Coordination:Limits:RequestsPerSecond=10000000",
            "--Coordination:Limits:Burst=10000000",
            "--Logging:LogLevel:Default=Warning",
        }.Concat(settings ?? []))
        {
            info.ArgumentList.Add(argument);
        }

        var started = Stopwatch.StartNew();
        var process = Process.Start(info)!;

        // The server's whole log, each line stamped with the time it arrived: the
        // figures name seconds (SlowestWhen), and a stall is explained by what the silo logged then.
        Directory.CreateDirectory(LogFolder);
        var log = new StreamWriter(Path.Combine(LogFolder, $"server-{DateTime.UtcNow:HHmmss}-{grpcPort}.log")) { AutoFlush = true };

        // The server's warnings and errors (its log is at Warning) are shown with the figures they may explain.
        var previous = "";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (log)
                {
                    try
                    {
                        log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
                    }
                    catch (ObjectDisposedException)
                    {
                        // A line after the harness let go of the process.
                    }
                }

                if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)
                    || (previous.Length > 0 && line.StartsWith("      ", StringComparison.Ordinal)))
                {
                    Console.Error.WriteLine($"  [server] {line}");
                    previous = line.StartsWith("      ", StringComparison.Ordinal) ? previous : line;
                }
                else
                {
                    previous = "";
                }
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var health = new Health.HealthClient(probe);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode} while starting");
            }

            try
            {
                if ((await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2))).Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    break;
                }
            }
            catch (RpcException)
            {
            }

            if (started.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("the server did not start within 5 minutes");
            }

            await Task.Delay(20);
        }

        return new ServerProcess(process, log, dataDirectory, grpcPort, httpPort, started.Elapsed);
    }

    public CallInvoker As(string token) => Channel.Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {token}");
        return metadata;
    });

    public CompanyService.CompanyServiceClient Company(string companyId) => new(As(CompanyToken(companyId)));

    public string CompanyToken(string companyId) => _tokens.Mint($"{companyId}-room", "company", company: companyId);

    public CallInvoker ViewerOn(GrpcChannel channel, string district) =>
        channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {_tokens.Mint("bench-dashboard", "viewer", [district])}");
            return metadata;
        });

    /// <summary>Calls with the token on a channel of the figure's own (one that many streams share).</summary>
    public static CallInvoker On(GrpcChannel channel, string token) => channel.Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {token}");
        return metadata;
    });

    public PoliceService.PoliceServiceClient Police(string subject) => new(As(PoliceToken(subject)));

    public string PoliceToken(string subject) => _tokens.Mint(subject, "police", national: true);

    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public async Task<(long WorkingSet, long ManagedHeap)> MemoryAfterFullGcAsync()
    {
        using var reply = JsonDocument.Parse(await _http.GetStringAsync("/bench/memory"));
        return (reply.RootElement.GetProperty("workingSet").GetInt64(), reply.RootElement.GetProperty("managedHeap").GetInt64());
    }

    /// <summary>The server's counters since it started (see <see cref="ServerCounters"/>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountersAsync() =>
        JsonSerializer.Deserialize<Dictionary<string, long>>(await _http.GetStringAsync("/bench/counters")) ?? [];

    /// <summary>SIGTERM, as an operator would stop it, and wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        _http.Dispose();
        _tokens.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    // Below the kernel's ephemeral range, from which outgoing connections and "port 0" listeners draw:
    // a port picked there and bound a moment later by the server could be taken meanwhile.
    private static int _nextPort = Random.Shared.Next(12000);

    internal static int FreePort()
    {
        for (var attempt = 0; attempt < 12000; attempt++)
        {
            var port = 20000 + (Interlocked.Increment(ref _nextPort) % 12000);
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

        throw new InvalidOperationException("no free loopback port between 20000 and 32000");
    }
}
