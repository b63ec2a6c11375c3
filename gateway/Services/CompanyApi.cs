using Coordination.Domain;
using Coordination.Gateway.Hosting;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>The company control rooms' API: thin, it validates ids, maps and calls grains.</summary>
internal sealed class CompanyApi(IGrainFactory grains, ILogger<CompanyApi> logger) : Proto.CompanyService.CompanyServiceBase
{
    // Reports of one feed in flight at once; a unit's own reports still apply in the order sent.
    private const int FeedParallelism = 64;
    private const int MaxListedRejections = 100;

    public override async Task<Proto.RegisterUnitsResponse> RegisterUnits(Proto.RegisterUnitsRequest request, ServerCallContext context)
    {
        var companyId = Validate.Id(request.CompanyId, "company_id");
        var units = Validate.Registrations([.. request.Units.Select(u => u.ToDomain())]);
        var outcome = await grains.GetGrain<ICompanyGrain>(companyId).RegisterUnits(Validate.OptionalName(request.CompanyName, "company_name"), units);
        return new Proto.RegisterUnitsResponse { Created = outcome.Created, Updated = outcome.Updated };
    }

    public override async Task<Proto.UnitReportAck> ReportUnit(Proto.UnitReport request, ServerCallContext context)
    {
        var (view, durable) = await Apply(request);
        return new Proto.UnitReportAck { Unit = view.ToApi(), Durable = durable };
    }

    public override async Task<Proto.UnitReportFeedSummary> StreamUnitReports(IAsyncStreamReader<Proto.UnitReport> requestStream, ServerCallContext context)
    {
        var summary = new Proto.UnitReportFeedSummary();
        var applied = 0L;
        var rejected = 0L;
        var rejections = new List<Proto.RejectedReport>();
        using var window = new SemaphoreSlim(FeedParallelism);
        var lastPerUnit = new Dictionary<string, Task>(StringComparer.Ordinal);
        var index = 0L;

        async Task ApplyInOrder(Task previous, Proto.UnitReport report, long at)
        {
            try
            {
                await previous;
                await Apply(report);
                Interlocked.Increment(ref applied);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref rejected);
                var (status, message, expected) = ErrorMapping.Classify(e, context.CancellationToken.IsCancellationRequested);
                if (!expected)
                {
                    logger.LogWarning(e, "Feed report {Index} for unit {Unit} failed with {Code}", at, report.UnitId, status);
                }

                lock (rejections)
                {
                    if (rejections.Count < MaxListedRejections)
                    {
                        rejections.Add(new Proto.RejectedReport
                        {
                            Index = at,
                            UnitId = report.UnitId,
                            Code = System.Text.RegularExpressions.Regex.Replace(status.ToString(), "(?<!^)([A-Z])", "_$1").ToUpperInvariant(),
                            Message = message,
                        });
                    }
                }
            }
            finally
            {
                window.Release();
            }
        }

        await foreach (var report in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await window.WaitAsync(context.CancellationToken);
            var key = $"{report.CompanyId}/{report.UnitId}";
            var previous = lastPerUnit.GetValueOrDefault(key) ?? Task.CompletedTask;
            lastPerUnit[key] = ApplyInOrder(previous, report, index++);

            if (lastPerUnit.Count > 4 * FeedParallelism)
            {
                foreach (var done in lastPerUnit.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToList())
                {
                    lastPerUnit.Remove(done);
                }
            }
        }

        await Task.WhenAll(lastPerUnit.Values);
        summary.Received = index;
        summary.Applied = applied;
        summary.Rejected = rejected;
        summary.Rejections.AddRange(rejections.OrderBy(r => r.Index));
        return summary;
    }

    public override async Task<Proto.ListUnitsResponse> ListUnits(Proto.ListUnitsRequest request, ServerCallContext context)
    {
        var companyId = Validate.Id(request.CompanyId, "company_id");
        var units = await grains.GetGrain<ICompanyGrain>(companyId).ListUnits();
        return new Proto.ListUnitsResponse { Units = { units.Select(u => u.ToApi()) } };
    }

    private async Task<(UnitView View, bool Durable)> Apply(Proto.UnitReport report)
    {
        var companyId = Validate.Id(report.CompanyId, "company_id");
        var unitId = Validate.Id(report.UnitId, "unit_id");
        var status = report.Status.ToDomain("status");
        var position = Validate.Position(report.Position.ToDomain(), "position");
        var unit = grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(companyId, unitId));
        return status is { } s
            ? (await unit.ReportStatus(s, position), true)
            : (await unit.Ping(position), false);
    }
}
