using System.CommandLine;
using Coordination.Api.V1;
using Grpc.Core;

namespace Coordination.Cli;

/// <summary>coord audit: the audit log, checked offline from the database (verify) or read through the API (export).</summary>
internal static class AuditCommand
{
    public static Command Create(Shell shell) => new("audit", "the audit log")
    {
        Verify(shell),
        Export(shell),
    };

    private static Command Verify(Shell shell)
    {
        var database = Opt.Text("--database", "a single node's SQLite file", "FILE");
        database.DefaultValueFactory = _ => Path.Combine("data", "coordination.db");
        var postgres = Opt.Text("--postgres", "a cluster's PostgreSQL database instead (a connection string: \"Host=...;Database=...\")", "CONNECTION");
        var command = new Command("verify", "checks the audit log's hash chain, and the log against the stored state") { database, postgres };
        command.SetAction(async parsed => parsed.GetValue(postgres) is { } connectionString
            ? await AuditVerify.RunOnPostgresAsync(connectionString, shell.Output, shell.Error)
            : await AuditVerify.RunAsync(parsed.GetValue(database)!, shell.Output, shell.Error));
        return command;
    }

    private static Command Export(Shell shell)
    {
        var incident = Opt.Text("--incident", "one incident's entries only", "ID");
        var command = new Command("export", "the audit log through the API (national police token)") { incident };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            using var export = api.Police.ExportAudit(new ExportAuditRequest { IncidentId = parsed.GetValue(incident) ?? "" });
            await foreach (var entry in export.ResponseStream.ReadAllAsync())
            {
                await shell.Output.WriteLineAsync($"{entry.Sequence,6} {Lines.Time(entry.At, "yyyy-MM-ddTHH:mm:ss.fffzzz")} {entry.Role,-8} {entry.Subject,-20} {entry.Rpc} {entry.RequestId} {entry.IncidentId} {entry.Outcome} {entry.Hash[..12]}");
            }
        });
    }
}
