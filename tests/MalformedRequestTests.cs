using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Proto = Coordination.Api.V1;

namespace Coordination.Tests;

/// <summary>
/// Bad input is the client's to fix: whatever arrives, the gateway answers with a status that says
/// so (INVALID_ARGUMENT, NOT_FOUND, ...), never UNKNOWN or INTERNAL, which the README keeps for bugs.
/// Every RPC of the public API is reached through its descriptor, so a new RPC is covered the day it is added.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class MalformedRequestTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    public static IEnumerable<MethodDescriptor> EveryRpc() =>
        new[] { Proto.CompanyReflection.Descriptor, Proto.PoliceReflection.Descriptor, Proto.DashboardReflection.Descriptor }
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods);

    public static TheoryData<string> EveryRpcName() => [.. EveryRpc().Select(m => m.FullName)];

    /// <summary>Every RPC of the API, and the standard health check (bound by the same provider).</summary>
    public static TheoryData<string> EveryRpcAndHealthName() => [.. EveryRpc().Select(m => m.FullName), "grpc.health.v1.Health.Check"];

    [Theory]
    [MemberData(nameof(EveryRpcAndHealthName))]
    public async Task Bytes_that_are_no_protobuf_message_are_invalid_argument(string rpc)
    {
        var method = EveryRpc().Append(Grpc.Health.V1.HealthReflection.Descriptor.Services.Single().FindMethodByName("Check")).Single(m => m.FullName == rpc);

        var status = await RawCall(method, [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]);

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith("the request message could not be decoded", status.Detail);
    }

    /// <summary>
    /// Sends each payload as one message of the RPC, byte for byte (identity marshallers), with a
    /// token of the role the RPC is for, and returns how the call ended. A stream that answers is
    /// cut short after its first message (its status is then OK).
    /// </summary>
    private async Task<Status> RawCall(MethodDescriptor rpc, IReadOnlyList<byte[]> payloads)
    {
        var token = rpc.Service.Name == "CompanyService" ? Node.Tokens.Company("malformed-co") : Node.Tokens.NationalPolice();
        var invoker = Node.Channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
        var type = (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, rpc.Service.FullName, rpc.Name, Identity, Identity);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var options = new CallOptions(cancellationToken: deadline.Token);
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, payloads[0]);
                    break;

                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, payloads[0]))
                    {
                        await call.ResponseStream.MoveNext(deadline.Token);
                    }

                    break;

                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        foreach (var payload in payloads)
                        {
                            await call.RequestStream.WriteAsync(payload);
                        }

                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }

                    break;

                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        foreach (var payload in payloads)
                        {
                            await call.RequestStream.WriteAsync(payload);
                        }

                        await call.RequestStream.CompleteAsync();
                        await call.ResponseStream.MoveNext(deadline.Token);
                    }

                    break;
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private static readonly Marshaller<byte[]> Identity = Marshallers.Create(bytes => bytes, bytes => bytes);
}
