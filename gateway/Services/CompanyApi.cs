using Coordination.Domain;
using Coordination.Gateway.Hosting;
using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>The company control rooms' API: thin, it validates ids, maps and calls grains.</summary>
internal sealed class CompanyApi(IGrainFactory grains, CallerRateLimiter limiter, ILogger<CompanyApi> logger) : Proto.CompanyService.CompanyServiceBase
{
    // Reports of one feed in flight at once; a unit's own reports still apply in the order sent.
    private const int FeedParallelism = 64;
    private const int MaxListedRejections = 100;

    public override async Task<Proto.RegisterUnitsResponse> RegisterUnits(Proto.RegisterUnitsRequest request, ServerCallContext context)
    {
        var companyId = Company(context, request.CompanyId);
        var units = Validate.Registrations([.. request.Units.Select(u => u.ToDomain())]);
        var outcome = await grains.Reference<ICompanyGrain>(companyId).RegisterUnits(Validate.OptionalName(request.CompanyName, "company_name"), units);
        return new Proto.RegisterUnitsResponse { Created = outcome.Created, Updated = outcome.Updated };
    }

    public override async Task<Proto.UnitReportAck> ReportUnit(Proto.UnitReport request, ServerCallContext context)
    {
        var (view, durable, changed) = await Apply(Company(context, request.CompanyId), request);
        return new Proto.UnitReportAck { Unit = view.ToApi(), Durable = durable, Changed = changed };
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
        var caller = context.Caller();

        async Task ApplyInOrder(Task previous, Proto.UnitReport report, long at)
        {
            try
            {
                await previous;
                limiter.Take(caller);
                await Apply(caller.OwnCompany(report.CompanyId), report);
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
                            Code = ErrorMapping.CodeName(status),
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
        var companyId = Company(context, request.CompanyId);
        var units = await grains.Reference<ICompanyGrain>(companyId).ListUnits();
        return new Proto.ListUnitsResponse { Units = { units.Select(u => u.ToApi()) } };
    }

    public override async Task WatchOffers(Proto.WatchOffersRequest request, IServerStreamWriter<Proto.OfferEvent> responseStream, ServerCallContext context)
    {
        var companyId = Company(context, request.CompanyId);
        await using var watch = await OfferWatch.StartAsync(grains, companyId);
        foreach (var offer in watch.Outstanding)
        {
            await responseStream.WriteAsync(new Proto.OfferEvent { Kind = Proto.OfferEvent.Types.Kind.Outstanding, Offer = offer.ToApi() }, context.CancellationToken);
        }

        await foreach (var offer in watch.ReadAllAsync(context.CancellationToken))
        {
            var kind = offer.Status == OfferStatus.Pending ? Proto.OfferEvent.Types.Kind.New : Proto.OfferEvent.Types.Kind.Closed;
            await responseStream.WriteAsync(new Proto.OfferEvent { Kind = kind, Offer = offer.ToApi() }, context.CancellationToken);
        }
    }

    public override async Task<Proto.AnswerOfferResponse> AnswerOffer(Proto.AnswerOfferRequest request, ServerCallContext context)
    {
        var companyId = Company(context, request.CompanyId);
        var incidentId = Validate.OfferId(request.OfferId, "offer_id");
        var answerId = Validate.Id(request.AnswerId, "answer_id");
        var answer = request.AnswerCase switch
        {
            Proto.AnswerOfferRequest.AnswerOneofCase.Commit when request.Commit.UnitIds.Count == 0 =>
                throw CoordinationException.Invalid("commit.unit_ids", "must name at least one unit"),
            Proto.AnswerOfferRequest.AnswerOneofCase.Commit => new OfferAnswer(
                answerId, companyId, [.. request.Commit.UnitIds.Select((u, i) => Validate.Id(u, $"commit.unit_ids[{i}]"))], null),
            Proto.AnswerOfferRequest.AnswerOneofCase.Decline => new OfferAnswer(
                answerId, companyId, [], Validate.RequiredText(request.Decline.Reason, "decline.reason")),
            _ => throw CoordinationException.Invalid("answer", "must be commit or decline"),
        };
        var offer = await grains.Reference<IIncidentGrain>(incidentId).AnswerOffer(request.OfferId, answer);
        return new Proto.AnswerOfferResponse { OfferId = offer.OfferId, Status = offer.Status.ToApi(), CommittedGuards = offer.CommittedGuards };
    }

    public override async Task<Proto.AssignmentProgressResponse> ReportAssignmentProgress(Proto.AssignmentProgressRequest request, ServerCallContext context)
    {
        var companyId = Company(context, request.CompanyId);
        var unitId = Validate.Id(request.UnitId, "unit_id");
        var progress = request.Progress switch
        {
            Proto.AssignmentProgress.EnRoute => AssignmentProgress.EnRoute,
            Proto.AssignmentProgress.OnScene => AssignmentProgress.OnScene,
            Proto.AssignmentProgress.Returned => AssignmentProgress.Returned,
            _ => throw CoordinationException.Invalid("progress", "must be EN_ROUTE, ON_SCENE or RETURNED"),
        };
        return new Proto.AssignmentProgressResponse { Unit = (await Progress(companyId, unitId, progress)).ToApi() };
    }

    /// <summary>The caller's own company: from the token, never from the request (which may repeat it, but not name another).</summary>
    private static string Company(ServerCallContext context, string requested) =>
        Validate.Id(context.Caller().OwnCompany(requested), "company_id");

    private async Task<(UnitView View, bool Durable, bool Changed)> Apply(string companyId, Proto.UnitReport report)
    {
        var unitId = Validate.Id(report.UnitId, "unit_id");
        var status = report.Status.ToDomain("status");
        var position = Validate.Position(report.Position.ToDomain(), "position");
        var unit = grains.Reference<IGuardUnitGrain>(UnitKey.Of(companyId, unitId));
        return status switch
        {
            // Progress on an assignment goes through its incident, which keeps the record of it.
            UnitStatus.EnRoute => (await Progress(companyId, unitId, AssignmentProgress.EnRoute), true, true),
            UnitStatus.OnScene => (await Progress(companyId, unitId, AssignmentProgress.OnScene), true, true),
            { } s => await unit.ReportStatus(s, position) is var outcome ? (outcome.Unit, true, outcome.Changed) : default,
            null => (await unit.Ping(position), false, false),
        };
    }

    private async Task<UnitView> Progress(string companyId, string unitId, AssignmentProgress progress)
    {
        var unit = grains.Reference<IGuardUnitGrain>(UnitKey.Of(companyId, unitId));
        var view = await unit.Get() ?? throw CoordinationException.NotFound($"unit '{unitId}' is not registered by company '{companyId}'");
        if (view.IncidentId is not { } incidentId)
        {
            throw CoordinationException.Precondition($"unit '{unitId}' is {UnitTransitions.Describe(view.Status)} and not assigned to an incident");
        }

        await grains.Reference<IIncidentGrain>(incidentId).ReportProgress(companyId, unitId, progress);
        return await unit.Get() ?? view;
    }
}
