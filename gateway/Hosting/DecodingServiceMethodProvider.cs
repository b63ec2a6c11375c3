using System.Reflection;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Coordination.Gateway.Hosting;

/// <summary>
/// Binds every gRPC service of the gateway (the API, health, reflection) the way grpc-dotnet's own
/// provider does — through the generated BindService — with one difference: a request whose bytes
/// are no protobuf message is INVALID_ARGUMENT ("the request message could not be decoded").
/// <para>
/// grpc-dotnet decodes a unary or server-streaming request before any interceptor runs, so
/// ErrorMapping never sees the parser's exception and grpc-dotnet answers UNKNOWN "Exception was
/// thrown by handler"; in a client stream the same exception surfaces inside the handler and would
/// be an unexpected failure (INTERNAL). The request marshaller is where both paths meet, and an
/// RpcException thrown there keeps its status on either path. The generated code fixes the
/// marshallers in static fields, hence a provider that re-creates each method with a checking one.
/// </para>
/// </summary>
internal sealed class DecodingServiceMethodProvider<TService> : IServiceMethodProvider<TService>
    where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        // As grpc-dotnet's provider: a service without a generated BindService is left to the other providers.
        if (FindBindMethod(typeof(TService)) is var (bind, serviceBase))
        {
            bind.Invoke(null, [new Binder(context, serviceBase), null]);
        }
    }

    /// <summary>The generated <c>BindService(ServiceBinderBase, XBase)</c>: named by [BindServiceMethod] on the base, or beside it.</summary>
    private static (MethodInfo Bind, Type ServiceBase)? FindBindMethod(Type service)
    {
        for (var type = service; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute
                && attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), type]) is { } bind)
            {
                return (bind, type);
            }
        }

        var serviceBase = service.BaseType;
        while (serviceBase?.BaseType?.BaseType is not null)
        {
            serviceBase = serviceBase.BaseType;
        }

        return serviceBase?.DeclaringType?.GetMethod("BindService", BindingFlags.Public | BindingFlags.Static, [typeof(ServiceBinderBase), serviceBase]) is { } fallback
            ? (fallback, serviceBase)
            : null;
    }

    /// <summary>The request marshaller with the parser's refusal turned into the client's INVALID_ARGUMENT.</summary>
    private static Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
    {
        var decode = method.RequestMarshaller.ContextualDeserializer;
        var marshaller = new Marshaller<TRequest>(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return decode(context);
            }
            catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException)
            {
                // ArgumentException: a string field whose bytes are no UTF-8 (DecoderFallbackException).
                throw ErrorMapping.Undecodable(typeof(TRequest).Name, e);
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>What grpc-dotnet's ProviderServiceBinder does: the service's override of each generated method, as the endpoint's handler.</summary>
    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type serviceBase) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(Checked(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(Checked(method), metadata, invoker);
        }

        private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, Type[] parameters)
            where TDelegate : Delegate
        {
            var handler = Override(name, parameters) ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");

            // Type attributes first, method attributes last (they win), as grpc-dotnet orders them;
            // POST with CORS preflight accepted, as grpc-dotnet declares every gRPC endpoint.
            List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. handler.GetCustomAttributes(inherit: true)];
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        /// <summary>The service's public method overriding the generated one (a method that merely hides it does not count).</summary>
        private MethodInfo? Override(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var found = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, parameters);
                if (found is null)
                {
                    return null;
                }

                if (found.IsVirtual && found.GetBaseDefinition().DeclaringType == serviceBase)
                {
                    return found;
                }
            }

            return null;
        }
    }
}
