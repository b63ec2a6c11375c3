using Coordination.Gateway;

namespace Coordination.Silo.Hosting;

/// <summary>The single-node system: one silo and the gRPC gateway in one process. Program and the tests build it the same way.</summary>
public static class SingleNode
{
    /// <summary>
    /// Settings come from appsettings.json beside the binary, then environment variables
    /// (Coordination__Gateway__GrpcEndpoint=...), then the command line (--Coordination:Gateway:GrpcEndpoint=...).
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddCoordinationSilo();
        builder.AddCoordinationGateway();

        var app = builder.Build();
        app.MapCoordinationGateway();
        return app;
    }
}
