using Coordination.Api.V1;
using Coordination.Domain;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Orleans.Runtime;

namespace Coordination.Gateway.Security;

/// <summary>
/// Runs inside the error mapping, for every RPC: establishes the caller from the validated token,
/// applies the caller's rate limit, hands the caller to the silo with every grain call (Orleans
/// RequestContext, marked as coming straight from the gateway), and writes each command to the
/// audit log twice: a "Started" record, durable before the command runs (so a change can never be
/// without a record, whatever crashes afterwards), and its outcome, durable before the answer (so no
/// OK goes out without one). The two share a call id; a "Started" record without its outcome is a
/// command in doubt: it may have taken effect, and its caller never heard. Which RPCs are commands,
/// who may call each and what each costs is declared on the RPC (see <see cref="RpcRules"/>).
/// </summary>
internal sealed class CallerInterceptor(RpcRules rules, CallerRateLimiter limiter, AuditWriter audit, TimeProvider time) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, rule) = Enter(context);
        if (caller is null)
        {
            return await continuation(request, context);
        }

        if (!IsCommand(rule, request))
        {
            Admit(rule, caller);
            return await continuation(request, context);
        }

        var call = await Started(caller, context, request as IMessage);
        TResponse response;
        try
        {
            Admit(rule, caller);
            response = await continuation(request, context);
        }
        catch (Exception e)
        {
            await AuditRefusal(caller, context, request as IMessage, e, call);
            throw;
        }

        // No OK before the record is durable: when it cannot be written the call answers UNAVAILABLE. A report
        // that changed nothing has no start record either (its unit wrote none) and needs no outcome.
        if (response is not UnitReportAck { Changed: false })
        {
            await Audit(caller, context, request as IMessage, "OK", OutcomeDetail(response), call);
        }

        return response;
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, rule) = Enter(context);
        if (caller is null)
        {
            return await continuation(requestStream, context);
        }

        if (rule?.Command != true)
        {
            Admit(rule, caller);
            return await continuation(requestStream, context);
        }

        var call = await Started(caller, context, null);
        TResponse response;
        try
        {
            Admit(rule, caller);
            response = await continuation(requestStream, context);
        }
        catch (Exception e)
        {
            await AuditRefusal(caller, context, null, e, call);
            throw;
        }

        var detail = response is UnitReportFeedSummary s ? $"received {s.Received}, applied {s.Applied}, rejected {s.Rejected}" : null;
        await Audit(caller, context, null, "OK", detail, call);
        return response;
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var (caller, rule) = Enter(context);
        if (caller is null)
        {
            await continuation(request, responseStream, context);
            return;
        }

        if (!IsCommand(rule, request))
        {
            Admit(rule, caller);
            await continuation(request, responseStream, context);
            return;
        }

        var call = await Started(caller, context, request as IMessage);
        try
        {
            Admit(rule, caller);
            await continuation(request, responseStream, context);
        }
        catch (Exception e)
        {
            await AuditRefusal(caller, context, request as IMessage, e, call);
            throw;
        }

        await Audit(caller, context, request as IMessage, "OK", null, call);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (Enter(context) is (Caller caller, var rule))
        {
            Admit(rule, caller);
        }

        return continuation(requestStream, responseStream, context);
    }

    /// <summary>
    /// The caller and the RPC's declared rule. The caller is null for the open endpoints (health, and
    /// reflection when configured open): they call no grain as anyone. The rule is null for what is
    /// not the API (health, reflection), which every authenticated caller may use.
    /// </summary>
    private (Caller? Caller, DeclaredRule? Rule) Enter(ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return (null, null);
        }

        // The same token always resolves to the same caller: remember it rather than re-read the claims per call.
        var authorization = context.RequestHeaders.GetValue("authorization");
        var caller = authorization is null
            ? CallerResolution.FromClaims(user)
            : _callers.TryGetValue(authorization, out var known) ? known : Remember(authorization, CallerResolution.FromClaims(user));
        context.SetCaller(caller);
        var rule = rules.Find(context.Method);
        limiter.Take(caller, rule?.Cost ?? 1);
        RequestContext.Set(CallerContext.CallerKey, caller);
        RequestContext.Set(CallerContext.EntryKey, true);
        return (caller, rule);
    }

    /// <summary>
    /// The coarse role gate from the RPC's declaration; the handler then checks what needs the request
    /// (the district, the company). For a command it runs after the start record, so a refused attempt
    /// is in the audit log as any other refusal is.
    /// </summary>
    private static void Admit(DeclaredRule? rule, Caller caller) => rule?.Admit(caller);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Caller> _callers = new(StringComparer.Ordinal);

    private Caller Remember(string authorization, Caller caller)
    {
        if (_callers.Count > 10_000)
        {
            _callers.Clear();
        }

        _callers[authorization] = caller;
        return caller;
    }

    // The one exception to the declaration (see ReportUnit's rule): a report without a status is a
    // heartbeat or a position, which changes nothing that needs accounting for.
    private static bool IsCommand<TRequest>(DeclaredRule? rule, TRequest request) =>
        rule?.Command == true && !(request is UnitReport { Status: Coordination.Api.V1.UnitStatus.Unspecified });

    // What the chain keeps of an outcome beyond its status: a bulletin's text is erased after its
    // retention time, its hash stays here, so what was sent can still be proven.
    private static string? OutcomeDetail(object? response) => response switch
    {
        Bulletin { ContentSha256.Length: > 0 } b => $"{b.Id} content sha256 {b.ContentSha256}",
        ReportObservationResponse { Observation: { } o } => $"{o.Id} content sha256 {o.ContentSha256}"
            + string.Concat(o.Photos.Select(p => $"; photo {p.Index} sha256 {p.Sha256}")),
        ObservationPhoto p => $"{p.ObservationId} photo {p.Index} sha256 {p.Sha256}",
        _ => null,
    };

    private static string Outcome(Exception e, ServerCallContext context) =>
        Hosting.ErrorMapping.Classify(e, context.CancellationToken.IsCancellationRequested).Code.ToString();

    private static string Detail(Exception e) => e is RpcException rpc ? rpc.Status.Detail : e.Message;

    /// <summary>
    /// The record written before the command runs; when it cannot be written the command does not run
    /// (UNAVAILABLE). A plain status report hands it to its unit instead, which writes it only if the
    /// report changes the status, and an incident command to its incident, which writes it with its
    /// first change (see <see cref="CallerContext.DeferredStartKey"/>).
    /// </summary>
    private Task<string> Started(Caller caller, ServerCallContext context, IMessage? request)
    {
        var call = Guid.NewGuid().ToString("N");
        if (rules.Find(context.Method)?.StartedByIncident == true
            || request is UnitReport { Status: Coordination.Api.V1.UnitStatus.Available or Coordination.Api.V1.UnitStatus.Unavailable or Coordination.Api.V1.UnitStatus.OutOfService })
        {
            // Not async on purpose: RequestContext lives in the execution context, and a value set inside an
            // awaited method would not reach the grain call the handler makes next.
            RequestContext.Set(CallerContext.DeferredStartKey, Record(caller, context, request, Coordination.Domain.AuditEntry.Started, null, call));
            return Task.FromResult(call);
        }

        return WrittenStart(caller, context, request, call);
    }

    private async Task<string> WrittenStart(Caller caller, ServerCallContext context, IMessage? request, string call)
    {
        await Audit(caller, context, request, Coordination.Domain.AuditEntry.Started, null, call);
        return call;
    }

    /// <summary>
    /// A refused or failed call is recorded too; if that record cannot be written, the caller still hears
    /// the refusal itself. Within a second: a call that failed because a silo stopped answering has
    /// already waited one response timeout, and the audit grain may sit on that same silo — the refusal
    /// must still reach the caller before its deadline, as UNAVAILABLE it can retry.
    /// </summary>
    private async Task AuditRefusal(Caller caller, ServerCallContext context, IMessage? request, Exception e, string call)
    {
        try
        {
            await Audit(caller, context, request, Outcome(e, context), Detail(e), call, RefusalRecordWait);
        }
        catch (CoordinationException)
        {
            // Logged by the writer; the refusal changed nothing, so the caller's answer stays the refusal.
        }
    }

    private static readonly TimeSpan RefusalRecordWait = TimeSpan.FromSeconds(1);

    // Answering UNAVAILABLE just before the caller's deadline lets it retry; past it, it hears DEADLINE_EXCEEDED.
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(500);

    private Task Audit(Caller caller, ServerCallContext context, IMessage? request, string outcome, string? detail, string call, TimeSpan? within = null)
    {
        if (context.Deadline < DateTime.MaxValue)
        {
            var beforeDeadline = context.Deadline - DateTime.UtcNow - DeadlineMargin;
            within = within is { } w && w < beforeDeadline ? w : beforeDeadline;
        }

        return audit.WriteAsync(Record(caller, context, request, outcome, detail, call), within);
    }

    private AuditRecord Record(Caller caller, ServerCallContext context, IMessage? request, string outcome, string? detail, string call) => new(
        time.GetUtcNow(), caller.Subject, caller.Role.ToString().ToLowerInvariant(), caller.Scope, context.Method,
        Field(request, "request_id") ?? Field(request, "answer_id") ?? BulletinOf(request) ?? ObservationOf(caller, request), IncidentOf(request), outcome, detail, call);

    // A bulletin command names its bulletin in full, as it is read back ("district.bulletin-id").
    private static string? BulletinOf(IMessage? request) => request switch
    {
        IssueBulletinRequest issue => BulletinIds.Of(issue.DistrictId, issue.BulletinId),
        _ => Field(request, "bulletin_id"),
    };

    // An observation command names its observation in full ("company/observation-id"); a report by the calling company's id.
    private static string? ObservationOf(Caller caller, IMessage? request) => request switch
    {
        ReportObservationRequest report when caller.CompanyId is { } company && report.ObservationId.Length > 0 => ObservationIds.Of(company, report.ObservationId),
        _ => Field(request, "observation_id"),
    };

    private static string? IncidentOf(IMessage? request) => request switch
    {
        OpenIncidentRequest open => IncidentIds.Of(open.DistrictId, open.RequestId),
        AttachObservationRequest { OpenIncident: { } open } => IncidentIds.Of(open.DistrictId, open.RequestId),
        _ when Field(request, "incident_id") is { Length: > 0 } incident => incident,
        _ when Field(request, "offer_id") is { Length: > 0 } offer => IncidentIds.IncidentOfOffer(offer),
        _ => null,
    };

    private static string? Field(IMessage? message, string name) =>
        message?.Descriptor.FindFieldByName(name)?.Accessor.GetValue(message) is string { Length: > 0 } value ? value : null;
}
