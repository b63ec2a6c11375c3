using System.Text;
using Coordination.Domain;
using Coordination.Gateway.Security;
using Coordination.Gateway.Services;
using Google.Protobuf;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Web;

/// <summary>
/// The dashboard feeds for browsers, as server-sent events on the HTTP/1.1 endpoint: the same
/// pictures and versions as the gRPC streams, in the proto's JSON form. Each event's id is the
/// picture's version, so the browser's automatic reconnect (Last-Event-ID) resumes without a repeat,
/// exactly like after_version on gRPC.
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
            Send(http, nameof(Proto.DashboardService.DashboardServiceBase.WatchNational), "capacity", caller => feeds.National(caller)));
        api.MapGet("/districts/{districtId}/events", (string districtId, HttpContext http, DashboardFeeds feeds) =>
            Send(http, nameof(Proto.DashboardService.DashboardServiceBase.WatchDistrict), "capacity", caller => feeds.District(caller, districtId)));
        api.MapGet("/incidents/{incidentId}/events", (string incidentId, HttpContext http, DashboardFeeds feeds) =>
            Send(http, nameof(Proto.DashboardService.DashboardServiceBase.WatchIncident), "incident", caller => feeds.Incident(caller, incidentId)));
        return api;
    }

    /// <summary>
    /// A browser's event stream is the dashboard RPC <paramref name="rpc"/> over another transport: it
    /// follows that RPC's declared rule (who may open it, what it costs) and its refusals.
    /// </summary>
    private static async Task Send<TMessage>(HttpContext http, string rpc, string eventName, Func<Caller, Task<Feed<TMessage>>> join)
        where TMessage : IMessage
    {
        var cancellation = http.RequestAborted;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EventStreams));
        var rule = http.RequestServices.GetRequiredService<RpcRules>().Find($"/{Proto.DashboardService.Descriptor.FullName}/{rpc}")
            ?? throw new InvalidOperationException($"DashboardService has no RPC {rpc}");
        Feed<TMessage> joined;
        try
        {
            var caller = CallerResolution.FromClaims(http.User);
            http.RequestServices.GetRequiredService<CallerRateLimiter>().Take(caller, rule.Cost);
            rule.Admit(caller);
            joined = await join(caller);
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            await Refuse(http, logger, e);
            return;
        }

        // A reconnecting EventSource sends the last id it saw; a first connection may name one.
        var after = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["after_version"].FirstOrDefault() ?? "";
        await using (joined)
        await using (var feed = joined.ReadAllAsync(after, cancellation).GetAsyncEnumerator(cancellation))
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

                    await Write(http, Event(eventName, feed.Current));
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

    private static string Event(string eventName, IMessage message)
    {
        var version = message.Descriptor.FindFieldByName("version")?.Accessor.GetValue(message) as string ?? "";
        return $"id: {version}\nevent: {eventName}\ndata: {Json.Format(message)}\n\n";
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
}
