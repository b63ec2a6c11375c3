namespace Coordination.Gateway;

/// <summary>
/// A stateless gateway process: the same gRPC API, connected to the silos as an Orleans client.
/// Run several behind a load balancer; the silos hold all the state.
/// </summary>
public static class StandaloneGateway
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddClusterConnection();
        builder.AddCoordinationGateway();

        var app = builder.Build();
        app.MapCoordinationGateway();
        return app;
    }
}
