using System.Net;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Hosting;

public enum ReflectionMode
{
    Off = 0,

    /// <summary>Only callers with a valid token can list the API.</summary>
    Authenticated = 1,

    /// <summary>Anyone who can reach the port can list the API (it reveals the schema, no data).</summary>
    Open = 2,
}

/// <summary>Configuration section <c>Coordination:Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Coordination:Gateway";

    /// <summary>gRPC over HTTP/2 without TLS (host:port). Port 0 picks a free port.</summary>
    public string GrpcEndpoint { get; set; } = "127.0.0.1:5080";

    /// <summary>HTTP/1.1 for health now and the web dashboard later (host:port).</summary>
    public string HttpEndpoint { get; set; } = "127.0.0.1:5081";

    /// <summary>gRPC server reflection, so generic tools (grpcurl, Postman) can discover the API.</summary>
    public ReflectionMode Reflection { get; set; } = ReflectionMode.Authenticated;

    /// <summary>An endpoint setting, already checked by <see cref="Validator"/>.</summary>
    public static IPEndPoint Parse(string value, string setting) =>
        IPEndPoint.TryParse(value, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"{Section}:{setting} must be host:port with an IP address, such as 127.0.0.1:5080 (was '{value}').");

    public sealed class Validator : IValidateOptions<GatewayOptions>
    {
        public ValidateOptionsResult Validate(string? name, GatewayOptions o) => new SettingChecks(Section)
            .Endpoint(o.GrpcEndpoint)
            .Endpoint(o.HttpEndpoint)
            .Defined(o.Reflection)
            .Result;
    }
}
