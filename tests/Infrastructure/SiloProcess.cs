using System.Diagnostics;
using System.Text;
using Coordination.Api.V1;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// The silo as its own operating-system process (the same binary `dotnet run --project silo`
/// runs), so tests can stop it the way an operator or a crash would: SIGTERM or SIGKILL.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TestTokens _tokens;

    private SiloProcess(Process process, int grpcPort, string dataDirectory)
    {
        _process = process;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        _tokens = new TestTokens(dataDirectory);
        Company = _tokens.CompanyClient(Channel);
        Police = _tokens.PoliceClient(Channel);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public GrpcChannel Channel { get; }
    public CompanyService.CompanyServiceClient Company { get; }
    public PoliceService.PoliceServiceClient Police { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<SiloProcess> StartAsync(string dataDirectory, params string[] extra)
    {
        var silo = Launch(dataDirectory, extra);
        await silo.WaitUntilServingAsync(TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>Starts the process without waiting for it to serve (to stop it while it is starting).</summary>
    public static SiloProcess Launch(string dataDirectory, params string[] extra)
    {
        var grpcPort = Ports.Free();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(Silo.Hosting.SingleNode).Assembly.Location);
        foreach (var argument in RunningNode.Arguments(dataDirectory, grpcPort, Ports.Free(), ["--Logging:LogLevel:Default=Information", .. extra]))
        {
            info.ArgumentList.Add(argument);
        }

        return new SiloProcess(Process.Start(info)!, grpcPort, dataDirectory);
    }

    /// <summary>Waits until the process's output contains <paramref name="text"/>; false if it exits or the bound passes first.</summary>
    public async Task<bool> PrintsWithin(string text, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>Asks the operating system to terminate the process, as systemd or Ctrl+C would, and waits for it to exit.</summary>
    public async Task TerminateAsync()
    {
        await Signal("TERM");
        await StoppedAsync();
    }

    /// <summary>
    /// SIGTERM at the point the process has reached now: it is frozen first and the signal is pending
    /// when it runs on, so it cannot get much past that point (a start-up, say) before the signal lands.
    /// </summary>
    public async Task TerminateHereAsync()
    {
        await Signal("STOP");
        await Signal("TERM");
        await Signal("CONT");
        await StoppedAsync();
    }

    // A stop asked for by a signal ends within 30 s, or the test fails.
    private async Task StoppedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>
    /// SIGSTOP: the process stops answering without closing anything, as under a long GC pause or a VM
    /// stall — its sockets stay open, so only failure detection can tell it from a slow silo.
    /// </summary>
    public Task FreezeAsync() => Signal("STOP");

    /// <summary>SIGCONT: the frozen process runs on from where it stopped, timers overdue.</summary>
    public Task ResumeAsync() => Signal("CONT");

    /// <summary>Whether the process exited within <paramref name="bound"/>.</summary>
    public async Task<bool> ExitsWithin(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        _tokens.Dispose();
        Channel.Dispose();
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilServingAsync(TimeSpan bound)
    {
        var health = new Health.HealthClient(Channel);
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with {_process.ExitCode} while starting:\n{Output}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The silo did not answer SERVING within {bound}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
