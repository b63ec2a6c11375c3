using Coordination.Gateway.Hosting;
using Coordination.Silo.Hosting;

// `dotnet run --project silo`: silo and gateway in one process, state in ./data. Ctrl+C or SIGTERM
// stops it cleanly: grains deactivate and flush what they hold in memory before the process exits
// (exit code 0, also when the stop comes before start-up finished).
return await ProcessRun.RunAsync(SingleNode.Build(args));
