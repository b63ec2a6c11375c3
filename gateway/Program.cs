using Coordination.Gateway;
using Coordination.Gateway.Hosting;

// `dotnet run --project gateway`: a gateway without a silo, for running the gRPC API in its own
// process(es) in front of a cluster. The single-node system does not need it.
return await ProcessRun.RunAsync(StandaloneGateway.Build(args));
