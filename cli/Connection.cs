using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Coordination.Cli;

/// <summary>
/// The channel to the gateway with the caller's token. It remembers the address and where that came
/// from, because "connection refused" alone does not tell an operator which of --address,
/// COORD_ADDRESS or the default was used.
/// </summary>
internal sealed class Connection : IDisposable
{
    public const string DefaultAddress = "http://127.0.0.1:5080";

    private readonly GrpcChannel _channel;

    private Connection(string address, string source, string? token)
    {
        Address = address;
        Source = source;
        _channel = GrpcChannel.ForAddress(address);
        var invoker = token is null ? _channel.CreateCallInvoker() : _channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
        Company = new CompanyService.CompanyServiceClient(invoker);
        Police = new PoliceService.PoliceServiceClient(invoker);
        Bulletins = new BulletinService.BulletinServiceClient(invoker);
        Observations = new ObservationService.ObservationServiceClient(invoker);
    }

    public string Address { get; }

    /// <summary>Where the address came from: --address, COORD_ADDRESS or the default.</summary>
    public string Source { get; }

    public CompanyService.CompanyServiceClient Company { get; }

    public PoliceService.PoliceServiceClient Police { get; }

    public BulletinService.BulletinServiceClient Bulletins { get; }

    public ObservationService.ObservationServiceClient Observations { get; }

    /// <summary>The connection for an --address option (null when absent) and token, or why there is none.</summary>
    public static (Connection? Connection, string? Problem) Open(string? addressOption, string? token)
    {
        var (address, source) = addressOption is not null ? (addressOption, "--address")
            : Environment.GetEnvironmentVariable("COORD_ADDRESS") is { Length: > 0 } fromEnvironment ? (fromEnvironment, "COORD_ADDRESS")
            : (DefaultAddress, "the default");
        return IsAddress(address)
            ? (new Connection(address, source, token ?? Environment.GetEnvironmentVariable("COORD_TOKEN")), null)
            : (null, $"{source}: '{address}' is not an address like {DefaultAddress}");
    }

    /// <summary>An absolute http:// or https:// address, the only kind a gRPC channel takes.</summary>
    public static bool IsAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// The line for a failed call: the status and its detail, as the gateway wrote it. A call that
    /// never reached a server (no status from it, only the client's own exception) names the address
    /// instead, with the transport's reason.
    /// </summary>
    public string Describe(RpcException e) => e is { StatusCode: StatusCode.Unavailable, Status.DebugException: { } cause }
        ? $"Unavailable: no connection to {Address} (from {Source}): {Innermost(cause).Message}"
        : $"{e.StatusCode}: {e.Status.Detail}";

    public void Dispose() => _channel.Dispose();

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
