using Coordination.Gateway;
using Coordination.Silo.Hosting;

// The single-node system: one silo and the gRPC gateway in one process, state in ./data.
// Settings come from appsettings.json beside the binary, then environment variables
// (Coordination__Gateway__GrpcEndpoint=...), then the command line (--Coordination:Gateway:GrpcEndpoint=...).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddCoordinationSilo();
builder.AddCoordinationGateway();

var app = builder.Build();
app.MapCoordinationGateway();
app.Run();
