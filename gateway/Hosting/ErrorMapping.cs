using Coordination.Domain;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Orleans.Runtime;
using Orleans.Storage;
using HttpResponse = Microsoft.AspNetCore.Http.HttpResponse;
using Status = Google.Rpc.Status;

namespace Coordination.Gateway.Hosting;

/// <summary>
/// The one place where failures become gRPC statuses. Domain refusals keep their code and name the
/// field (also as a google.rpc.BadRequest detail); Orleans failures that a retry can cure become
/// UNAVAILABLE or ABORTED; anything else is INTERNAL with the details left in the log. Refusals made
/// before any handler runs (authentication, undecodable requests) and on the browser endpoints are
/// written here too, so every status a client sees is built in this file.
/// </summary>
public sealed partial class ErrorMapping(ILogger<ErrorMapping> logger) : Interceptor
{
    /// <summary>Longest status message sent, in characters.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// A refusal's message repeats what the client sent (an id, a name) and travels in the response's
    /// HTTP/2 trailers, twice (grpc-message and the BadRequest detail); the client drops a connection
    /// whose headers pass 64 KB, taking every call on it down as UNAVAILABLE. So every message is cut
    /// here, where all of them pass, whatever a rule echoes.
    /// </summary>
    public static string Bounded(string message) =>
        message.Length <= MaxMessageLength ? message : string.Concat(message.AsSpan(0, MaxMessageLength), "…");

    public static RpcException ToRpcException(CoordinationException error)
    {
        var message = Bounded(error.Message);
        var status = new Status { Code = (int)ToStatusCode(error.Code), Message = message };
        if (error.Field is not null)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = error.Field, Description = message } },
            }));
        }

        // A storage refusal says why in a form a program can read: a full disk is not a blip to retry at once.
        if (error.Reason is not null)
        {
            var info = new ErrorInfo { Reason = error.Reason, Domain = "coordination" };
            foreach (var (key, value) in error.Metadata ?? new Dictionary<string, string>())
            {
                info.Metadata[key] = Bounded(value);
            }

            status.Details.Add(Any.Pack(info));
        }

        var exception = status.ToRpcException();
        if (error.Field is not null)
        {
            exception.Trailers.Add("field", error.Field);
        }

        return exception;
    }

    public static StatusCode ToStatusCode(ErrorKind code) => code switch
    {
        ErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        ErrorKind.NotFound => StatusCode.NotFound,
        ErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        ErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        ErrorKind.ResourceExhausted => StatusCode.ResourceExhausted,
        ErrorKind.Unavailable => StatusCode.Unavailable,
        ErrorKind.Aborted => StatusCode.Aborted,
        ErrorKind.Unauthenticated => StatusCode.Unauthenticated,
        _ => StatusCode.Internal,
    };

    /// <summary>The HTTP status for a refusal on the browser endpoints, so they say what the gRPC API would.</summary>
    public static int ToHttpStatus(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.FailedPrecondition => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The status and client-facing message for a failure that is not a domain refusal; Expected is false when it deserves a log line.</summary>
    public static (StatusCode Code, string Message, bool Expected) Classify(Exception exception, bool callCancelled) => Refusal(exception) switch
    {
        CoordinationException domain => (ToStatusCode(domain.Code), domain.Message, true),
        RpcException rpc => (rpc.StatusCode, rpc.Status.Detail, true),
        OperationCanceledException when callCancelled => (StatusCode.Cancelled, "the call was cancelled", true),
        // Orleans' response timeout: the silo holding the grain stopped answering (frozen, stalled, cut
        // off). Fail-over cures it, the retry reaching the grain on a live silo once that one is voted
        // out, so it is UNAVAILABLE, the code clients and retry policies retry. DEADLINE_EXCEEDED is the
        // caller's own deadline, which the response timeout stays well below; the command may have taken
        // effect, as with any UNAVAILABLE here, and the retry with the same id finds it done.
        TimeoutException => (StatusCode.Unavailable, "the cluster did not answer in time; retry with the same request", false),
        OrleansMessageRejectionException or SiloUnavailableException =>
            (StatusCode.Unavailable, "the cluster is not reachable right now; retry shortly", false),
        InconsistentStateException => (StatusCode.Aborted, "a concurrent change won; retry", false),
        // Any other runtime exception of Orleans is the cluster's condition, not the call's: seen as a
        // call lands in the moment a dead silo's grains and directory entries move to the live ones
        // (the frozen-silo test met one 0.1 s after the vote). The retry reaches the grain where it lives.
        OrleansException => (StatusCode.Unavailable, "the cluster is moving grains between silos; retry shortly", false),
        // Not the caller's cancellation: the silo cancelled the call (a grain deactivating, a silo stopping).
        OperationCanceledException => (StatusCode.Unavailable, "the cluster cancelled the call; retry with the same request", false),
        _ => (StatusCode.Internal, "internal error; it has been logged", false),
    };

    /// <summary>
    /// The project's own exception when Orleans wrapped it: a storage fault during a grain's activation
    /// reaches the caller inside Orleans' "error from storage provider" exception.
    /// </summary>
    public static Exception Refusal(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is CoordinationException domain)
            {
                return domain;
            }
        }

        return exception;
    }

    /// <summary>A status code as gRPC names it (FAILED_PRECONDITION), for a refusal reported inside a message rather than as a call's status.</summary>
    public static string CodeName(StatusCode code) => UpperCaseWord().Replace(code.ToString(), "_$1").ToUpperInvariant();

    [System.Text.RegularExpressions.GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial System.Text.RegularExpressions.Regex UpperCaseWord();

    /// <summary>
    /// An undecodable request message, refused where grpc-dotnet decodes it (before any interceptor):
    /// the client's INVALID_ARGUMENT, not the UNKNOWN grpc-dotnet would answer for the parser's exception.
    /// </summary>
    public static RpcException Undecodable(string messageType, Exception parserError) =>
        ToRpcException(new CoordinationException(ErrorKind.InvalidArgument, $"the request message could not be decoded as {messageType}: {parserError.Message}"));

    /// <summary>
    /// A gRPC refusal written from the HTTP pipeline, before any gRPC handler runs (authentication): a
    /// trailers-only response a gRPC client reads as the status, not a bare HTTP error.
    /// </summary>
    public static Task WriteGrpcRefusal(HttpResponse response, StatusCode code, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(Bounded(message));
        return Task.CompletedTask;
    }

    /// <summary>A refusal on the browser endpoints: the HTTP status matching the gRPC one, and the same code name and message as JSON.</summary>
    public static Task WriteHttpRefusal(HttpResponse response, StatusCode code, string message)
    {
        response.StatusCode = ToHttpStatus(code);
        return response.WriteAsJsonAsync(new { code = code.ToString(), message = Bounded(message) }, response.HttpContext.RequestAborted);
    }

    public RpcException Map(Exception exception, ServerCallContext context)
    {
        if (Refusal(exception) is CoordinationException domain)
        {
            return ToRpcException(domain);
        }

        var (code, message, expected) = Classify(exception, context.CancellationToken.IsCancellationRequested);
        if (!expected)
        {
            LogFailure(exception, context.Method, code);
        }

        return new RpcException(new Grpc.Core.Status(code, message));
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed; answered {Code}")]
    private partial void LogFailure(Exception exception, string method, StatusCode code);
}
