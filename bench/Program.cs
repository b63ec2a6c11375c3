using Coordination.Bench;

// `dotnet run -c Release --project bench` — every figure, a few minutes.
// `dotnet run -c Release --project bench -- --smoke` — every figure at toy scale, seconds.
// `... serve <configuration>` — the server process the harness starts (not for direct use).
return args.FirstOrDefault() == "serve"
    ? await Server.RunAsync(args[1..])
    : await Driver.RunAsync(args);
