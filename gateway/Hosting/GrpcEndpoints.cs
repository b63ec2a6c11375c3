using Coordination.Domain;
using Coordination.Gateway.Security;
using Coordination.Gateway.Services;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Hosting;

/// <summary>The public gRPC API: its services, the interceptors every call passes, message limits and reflection.</summary>
public static class GrpcEndpoints
{
    public static WebApplicationBuilder AddCoordinationGrpc(this WebApplicationBuilder builder, ReflectionMode reflection)
    {
        builder.Services.AddSingleton<ErrorMapping>();
        builder.Services.AddSingleton(RpcRules.OfApi());
        builder.Services.AddSingleton<CallerInterceptor>();
        builder.Services.AddGrpc(grpcOptions =>
        {
            // Outermost first: errors are mapped after the caller interceptor has audited them.
            grpcOptions.Interceptors.Add<ErrorMapping>();
            grpcOptions.Interceptors.Add<CallerInterceptor>();
            grpcOptions.EnableDetailedErrors = false;
        })
        .AddServiceOptions<ObservationApi>(o => o.MaxReceiveMessageSize = ObservationMessageBytes);
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<LimitsOptions>>((grpcOptions, limits) => grpcOptions.MaxReceiveMessageSize = limits.Value.MaxMessageBytes);
        if (reflection != ReflectionMode.Off)
        {
            builder.Services.AddGrpcReflection();
        }

        builder.Services.UseDecodingServiceMethodProvider();
        return builder;
    }

    /// <summary>
    /// Every service is bound by <see cref="DecodingServiceMethodProvider{TService}"/> instead of
    /// grpc-dotnet's own provider (both would bind each method twice). Called after every AddGrpc*,
    /// which registers grpc-dotnet's provider again; if a grpc-dotnet upgrade renames it, start-up fails
    /// here rather than undecodable requests silently answering UNKNOWN again.
    /// </summary>
    private static void UseDecodingServiceMethodProvider(this IServiceCollection services)
    {
        // grpc-dotnet's other provider (ServiceDefinitionMethodProvider) binds only services mapped from a
        // ServerServiceDefinition, which the gateway has none of; it stays.
        var providers = services.Where(d => d.ServiceType == typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>)).ToList();
        var stock = providers.Where(d => d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList();
        if (stock.Count != 1)
        {
            throw new InvalidOperationException(
                $"expected grpc-dotnet's BinderServiceMethodProvider once among the gRPC method providers, found: {string.Join(", ", providers.Select(d => d.ImplementationType?.Name))}");
        }

        services.Remove(stock[0]);
        services.AddSingleton(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(DecodingServiceMethodProvider<>));
    }

    /// <summary>
    /// Observations carry photos: up to four of the largest allowed, with room for the rest of the
    /// report. Larger than the general limit on purpose, for this service only; a photo over its own
    /// limit inside that is refused by the rules, naming the photo.
    /// </summary>
    private const int ObservationMessageBytes = (ObservationRules.MaxPhotos * ObservationRules.MaxPhotoBytes) + (256 * 1024);

    public static WebApplication MapCoordinationGrpc(this WebApplication app)
    {
        // Nothing of the public API answers without a valid token.
        app.MapGrpcService<CompanyApi>().RequireAuthorization();
        app.MapGrpcService<PoliceApi>().RequireAuthorization();
        app.MapGrpcService<DashboardApi>().RequireAuthorization();
        app.MapGrpcService<BulletinApi>().RequireAuthorization();
        app.MapGrpcService<ObservationApi>().RequireAuthorization();
        var reflection = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Reflection;
        if (reflection == ReflectionMode.Authenticated)
        {
            app.MapGrpcReflectionService().RequireAuthorization();
        }
        else if (reflection == ReflectionMode.Open)
        {
            app.MapGrpcReflectionService();
        }

        return app;
    }
}
