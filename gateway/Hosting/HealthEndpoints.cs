namespace Coordination.Gateway.Hosting;

/// <summary>Health for load balancers and operators, open without a token: gRPC health and <c>/healthz</c>, both asking the cluster.</summary>
public static class HealthEndpoints
{
    public static WebApplicationBuilder AddGatewayHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpcHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        return builder;
    }

    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapHealthChecks("/healthz");
        return app;
    }
}
