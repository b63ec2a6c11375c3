using Coordination.Gateway;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Hosting;

/// <summary>The single-node system: one silo and the gRPC gateway in one process. Program and the tests build it the same way.</summary>
public static class SingleNode
{
    /// <summary>
    /// Settings come from appsettings.json beside the binary, then environment variables
    /// (Coordination__Gateway__GrpcEndpoint=...), then the command line (--Coordination:Gateway:GrpcEndpoint=...).
    /// </summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // On a single node the development signing key lives beside the data unless configured elsewhere.
        if (builder.Configuration["Coordination:Auth:DevelopmentKeyFile"] is null)
        {
            var data = builder.Configuration["Coordination:Storage:DataDirectory"] ?? "data";
            builder.Configuration.AddInMemoryCollection([new("Coordination:Auth:DevelopmentKeyFile", Path.Combine(data, "dev-signing-key.pem"))]);
        }

        services?.Invoke(builder.Services);
        builder.AddCoordinationSilo();
        builder.AddCoordinationGateway();

        var app = builder.Build();
        app.MapCoordinationGateway();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var orleans = app.Services.GetRequiredService<IOptions<OrleansOptions>>().Value;
            var storage = app.Services.GetRequiredService<IOptions<Persistence.StorageOptions>>().Value;
            app.Logger.LogInformation(
                "Coordination {Mode} ready: Orleans silo {Address}:{SiloPort} (client gateway {GatewayPort}), cluster {ClusterId}, service {ServiceId}, state in {Store}",
                storage.Provider == Persistence.StorageProvider.PostgreSql ? "cluster silo" : "single node",
                orleans.Address, orleans.SiloPort, orleans.GatewayPort, orleans.ClusterId, orleans.ServiceId, storage.Describe());
        });
        app.Lifetime.ApplicationStopping.Register(() => app.Logger.LogInformation("Stopping: deactivating grains and flushing what they hold in memory"));
        return app;
    }
}
