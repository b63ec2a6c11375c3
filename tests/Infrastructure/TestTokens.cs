using Coordination.Api;
using Coordination.Api.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Coordination.Tests.Infrastructure;

/// <summary>Tokens signed with a node's development key, as <c>coord token</c> mints them.</summary>
public sealed class TestTokens(string dataDirectory) : IDisposable
{
    private readonly Lazy<DevelopmentTokens> _signer = new(() => DevelopmentTokens.LoadOrCreate(KeyFile(dataDirectory)));

    public static string KeyFile(string dataDirectory) => Path.Combine(dataDirectory, "dev-signing-key.pem");

    public DevelopmentTokens Signer => _signer.Value;

    public string Company(string companyId) => Signer.Mint($"{companyId}-control-room", "company", company: companyId);

    public string Police(params string[] districts) => Signer.Mint(districts.Length == 1 ? districts[0] : "operator", "police", districts);

    public string NationalPolice() => Signer.Mint("pod", "police", national: true);

    public string Viewer(params string[] districts) => Signer.Mint("wall-screen", "viewer", districts, national: districts.Length == 0);

    /// <summary>An engineer operating the system: the Orleans dashboard, nothing of the API.</summary>
    public string Operator() => Signer.Mint("on-call", "operator");

    /// <summary>Company calls carry a token for the company the request names (company_id), minted per call.</summary>
    public CompanyService.CompanyServiceClient CompanyClient(GrpcChannel channel) =>
        new(channel.Intercept(new PerRequestToken(request =>
            request is IMessage message && message.Descriptor.FindFieldByName("company_id")?.Accessor.GetValue(message) is string { Length: > 0 } company
                ? Company(company)
                : null)));

    public PoliceService.PoliceServiceClient PoliceClient(GrpcChannel channel) => new(channel.Intercept(Bearer(NationalPolice())));

    public static Interceptor Bearer(string token) => new PerRequestToken(_ => token);

    public void Dispose()
    {
        if (_signer.IsValueCreated)
        {
            _signer.Value.Dispose();
        }
    }

    private sealed class PerRequestToken(Func<object?, string?> tokenFor) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, With(context, tokenFor(request)));

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(request, With(context, tokenFor(request)));

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(With(context, tokenFor(null)));

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
            continuation(With(context, tokenFor(null)));

        private static ClientInterceptorContext<TRequest, TResponse> With<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, string? token)
            where TRequest : class
            where TResponse : class
        {
            if (token is null)
            {
                return context;
            }

            var headers = context.Options.Headers ?? [];
            headers.Add("authorization", $"Bearer {token}");
            return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
        }
    }
}
