using System.Globalization;
using System.Text;
using Coordination.Domain;
using Coordination.Gateway.Security;
using Coordination.Gateway.Services;
using Google.Protobuf;
using Grpc.Core;
using Orleans.Runtime;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Web;

/// <summary>
/// The dashboard feeds for browsers, as server-sent events on the HTTP/1.1 endpoint: the same
/// pictures and versions as the gRPC streams, in the proto's JSON form. Each event's id is the
/// picture's version, so the browser's automatic reconnect (Last-Event-ID) resumes without a repeat,
/// exactly like after_version on gRPC. A district's observation queue, for its police, is the same
/// stream as WatchObservationQueue, its events' ids the queue's sequence (after_sequence).
/// </summary>
internal static partial class EventStreams
{
    // Proxies and browsers drop a silent connection; a comment line now and then keeps it open and
    // lets the server notice a browser that has gone.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    // Every field, zeros included, so the page never has to guess whether a missing number means 0.
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    public static RouteGroupBuilder MapEventStreams(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").RequireAuthorization();
        api.MapGet("/reference", () => Results.Content(
            $"{{\"districts\":{Json.Format(ApiMapping.Districts())},\"capabilities\":{Json.Format(ApiMapping.Capabilities())}}}", "application/json"));
        api.MapGet("/national/events", (HttpContext http, DashboardFeeds feeds) =>
            Send(http, Dashboard(nameof(Proto.DashboardService.DashboardServiceBase.WatchNational)), "capacity", Version, Pictures(caller => feeds.National(caller))));
        api.MapGet("/districts/{districtId}/events", (string districtId, HttpContext http, DashboardFeeds feeds) =>
            Send(http, Dashboard(nameof(Proto.DashboardService.DashboardServiceBase.WatchDistrict)), "capacity", Version, Pictures(caller => feeds.District(caller, districtId))));
        api.MapGet("/incidents/{incidentId}/events", (string incidentId, HttpContext http, DashboardFeeds feeds) =>
            Send(http, Dashboard(nameof(Proto.DashboardService.DashboardServiceBase.WatchIncident)), "incident", u => u.Version, Pictures(caller => feeds.Incident(caller, incidentId))));
        api.MapGet("/districts/{districtId}/observations/events", (string districtId, HttpContext http, IGrainFactory grains) =>
            Send(http, $"/{Proto.ObservationService.Descriptor.FullName}/{nameof(Proto.ObservationService.ObservationServiceBase.WatchObservationQueue)}",
                "observation", e => e.Sequence.ToString(CultureInfo.InvariantCulture), async (caller, after) =>
                {
                    var district = Validate.District(districtId, "district_id");
                    caller.PoliceIn(district);
                    var watch = await ObservationWatch.OnQueueAsync(grains, district, ObservationApi.AfterSequence(Sequence(after)));
                    return new Subscription<Proto.ObservationEvent>(watch, watch.EventsAsync);
                }));
        return api;
    }

    private static string Dashboard(string rpc) => $"/{Proto.DashboardService.Descriptor.FullName}/{rpc}";

    private static string Version(Proto.CapacityUpdate update) => update.Version;

    /// <summary>A dashboard feed, resumed after the version the browser last saw.</summary>
    private static Func<Caller, string, Task<Subscription<TMessage>>> Pictures<TMessage>(Func<Caller, Task<Feed<TMessage>>> join) => async (caller, after) =>
    {
        var feed = await join(caller);
        return new Subscription<TMessage>(feed, cancellation => feed.ReadAllAsync(after, cancellation));
    };

    /// <summary>The queue's sequence a browser last saw (none: from the start, every open observation first).</summary>
    private static long Sequence(string after) =>
        after.Length == 0 ? 0
        : long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence
        : throw CoordinationException.Invalid("Last-Event-ID", "must be a sequence number received from this stream");

    /// <summary>
    /// A browser's event stream is the RPC <paramref name="method"/> over another transport: it follows
    /// that RPC's declared rule (who may open it, what it costs) and its refusals, and its grain calls
    /// carry the caller for the silo to check again, as the RPC's do.
    /// </summary>
    private static async Task Send<TMessage>(HttpContext http, string method, string eventName, Func<TMessage, string> id, Func<Caller, string, Task<Subscription<TMessage>>> join)
        where TMessage : IMessage
    {
        var cancellation = http.RequestAborted;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventStreams));
        var rule = http.RequestServices.GetRequiredService<RpcRules>().Find(method)
            ?? throw new InvalidOperationException($"no RPC {method}");

        // A reconnecting EventSource sends the last id it saw; a first connection may name one.
        var after = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["after_version"].FirstOrDefault() ?? "";
        Subscription<TMessage> joined;
        try
        {
            var caller = CallerResolution.FromClaims(http.User);
            http.RequestServices.GetRequiredService<CallerRateLimiter>().Take(caller, rule.Cost);
            rule.Admit(caller);
            RequestContext.Set(CallerContext.CallerKey, caller);
            RequestContext.Set(CallerContext.EntryKey, true);
            joined = await join(caller, after);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            await Refuse(http, logger, e);
            return;
        }

        await using (joined)
        await using (var feed = joined.Read(cancellation).GetAsyncEnumerator(cancellation))
        {
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            Task<bool>? next = null;
            try
            {
                await Write(http, "retry: 2000\n\n");
                next = feed.MoveNextAsync().AsTask();
                var keepAlive = Task.Delay(KeepAlive, cancellation);
                while (true)
                {
                    if (await Task.WhenAny(next, keepAlive) == keepAlive)
                    {
                        await keepAlive;
                        await Write(http, ": keep-alive\n\n");
                        keepAlive = Task.Delay(KeepAlive, cancellation);
                        continue;
                    }

                    if (!await next)
                    {
                        return;
                    }

                    await Write(http, $"id: {id(feed.Current)}\nevent: {eventName}\ndata: {Json.Format(feed.Current)}\n\n");
                    next = feed.MoveNextAsync().AsTask();
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // The browser went away: the feed's place in the hub is given back below.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Headers are sent: say what happened as an event; the browser reconnects by itself.
                var (code, message, expected) = Hosting.ErrorMapping.Classify(e, callCancelled: false);
                if (!expected)
                {
                    LogFailure(logger, e, http.Request.Path, code);
                }

                await Write(http, $"event: failure\ndata: {System.Text.Json.JsonSerializer.Serialize(new { code = code.ToString(), message })}\n\n");
            }
            finally
            {
                // The feed may not be disposed while a read is pending; cancelled with the request, it ends at once.
                if (next is not null)
                {
                    await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
    }

    private static async Task Write(HttpContext http, string text)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    /// <summary>Refusals before the stream starts get the HTTP status that matches the gRPC one.</summary>
    private static Task Refuse(HttpContext http, ILogger logger, Exception error)
    {
        var (code, message, expected) = Hosting.ErrorMapping.Classify(error, callCancelled: false);
        if (!expected)
        {
            LogFailure(logger, error, http.Request.Path, code);
        }

        return Hosting.ErrorMapping.WriteHttpRefusal(http.Response, code, message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event stream {Path} failed; told the browser {Code}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string path, StatusCode code);

    /// <summary>One browser's stream: its messages, and what to dispose when it ends (its place in the hub, or its watch on the grain).</summary>
    private sealed record Subscription<TMessage>(IAsyncDisposable Owner, Func<CancellationToken, IAsyncEnumerable<TMessage>> Read) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Owner.DisposeAsync();
    }
}
