using Coordination.Gateway;

// A stateless gateway process: the same gRPC API, connected to the silos as an Orleans client.
// Run several behind a load balancer; the silos hold all the state.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var orleans = builder.Configuration.GetSection("Coordination:Orleans");
builder.UseOrleansClient(client => client.UseLocalhostClustering(
    gatewayPort: orleans.GetValue("GatewayPort", 30000),
    serviceId: orleans.GetValue("ServiceId", "coordination")!,
    clusterId: orleans.GetValue("ClusterId", "coordination")!));
builder.AddCoordinationGateway();

var app = builder.Build();
app.MapCoordinationGateway();
app.Run();
