using Coordination.Api.V1;
using Grpc.Core;

namespace Coordination.Cli;

/// <summary>
/// coord feed: one client-streaming call with a report per unit. With --every it goes on: the status
/// once, then a heartbeat per unit every interval until stopped, so the units never go stale. A
/// heartbeat is a ReportUnit without status: it is refused for no unit state (a unit since committed
/// to an incident keeps its heartbeat) and, changing nothing, is not a command for the audit log (a
/// feed call is, whatever it carries). A heartbeat that fails (the silo restarting) is reported and
/// tried again at the next interval; the status is sent until it gets through.
/// </summary>
internal static class UnitFeed
{
    public static async Task RunAsync(
        CompanyService.CompanyServiceClient company, string companyId, string[] units, UnitStatus status, TimeSpan? interval,
        TextWriter output, TextWriter error, CancellationToken stop)
    {
        if (interval is not { } every)
        {
            await Lines.WriteSummaryAsync(output, await SendReports(company, companyId, units, status, stop));
            return;
        }

        var statusSent = status == UnitStatus.Unspecified;
        var failing = false;
        while (!stop.IsCancellationRequested)
        {
            var failures = 0;
            if (!statusSent)
            {
                try
                {
                    await Lines.WriteSummaryAsync(output, await SendReports(company, companyId, units, status, stop));
                    await output.WriteLineAsync($"heartbeats for {string.Join(",", units)} every {every.TotalSeconds:0.###} s until Ctrl+C or kill");
                    statusSent = true;
                }
                catch (RpcException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException e)
                {
                    await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} status not sent ({e.StatusCode}: {e.Status.Detail}); trying again in {every.TotalSeconds:0.###} s");
                    failures++;
                }
            }
            else
            {
                foreach (var unit in units)
                {
                    try
                    {
                        await company.ReportUnitAsync(new UnitReport { CompanyId = companyId, UnitId = unit }, cancellationToken: stop);
                    }
                    catch (RpcException e) when (!stop.IsCancellationRequested)
                    {
                        await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} heartbeat for {unit} failed ({e.StatusCode}: {e.Status.Detail}); trying again in {every.TotalSeconds:0.###} s");
                        failures++;
                    }
                    catch (RpcException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }

            if (failing && failures == 0)
            {
                await error.WriteLineAsync($"{Commands.Time(DateTimeOffset.UtcNow)} heartbeats resumed");
            }

            failing = failures > 0;
            try
            {
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<UnitReportFeedSummary> SendReports(CompanyService.CompanyServiceClient company, string companyId, string[] units, UnitStatus status, CancellationToken stop)
    {
        using var call = company.StreamUnitReports(cancellationToken: stop);
        foreach (var unit in units)
        {
            await call.RequestStream.WriteAsync(new UnitReport { CompanyId = companyId, UnitId = unit, Status = status }, stop);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
