using Coordination.Api.V1;
using Coordination.Cli;
using Microsoft.Data.Sqlite;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Every command is in the audit log, in order, with its actor; changing any entry is detected.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task The_audit_log_of_a_scenario_lists_every_command_in_order_and_the_verifier_catches_a_changed_entry()
    {
        using var data = new TempDirectory();
        string incidentId;
        await using (var node = await RunningNode.StartAsync(data.Path))
        {
            var company = node.CompanyAs("vaktpartner");
            var police = node.PoliceWith(node.Tokens.Police("sor-vest"));
            var directorate = node.PoliceWith(node.Tokens.NationalPolice());

            await company.RegisterUnitsAsync(Register("vaktpartner", UnitAt("v1", 2, "sor-vest", 58.97, 5.73, "patrol")));
            await company.ReportUnitAsync(Report("vaktpartner", "v1", UnitStatus.Available));
            await company.ReportUnitAsync(new UnitReport { UnitId = "v1", Position = new GeoPoint { Latitude = 58.96, Longitude = 5.72 } }); // heartbeat: not a command
            await company.ReportUnitAsync(Report("vaktpartner", "v1", UnitStatus.Available)); // the same status again: changes nothing, no record
            await directorate.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "vaktpartner", Priorities = { Priority.High } });
            var incident = await police.OpenIncidentAsync(Incident("sor-vest", "audit-1"));
            incidentId = incident.IncidentId;
            await police.RequestCapacityAsync(Capacity(incidentId, "r1", "patrol", 2, at: new GeoPoint { Latitude = 58.97, Longitude = 5.73 }));
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await police.RequestCapacityAsync(Capacity(incidentId, "r2", "arrest", 2)));
            await company.ReportAssignmentProgressAsync(new AssignmentProgressRequest { UnitId = "v1", Progress = AssignmentProgress.EnRoute });
            await police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incidentId, Reason = "done" });

            var entries = await Export(directorate, new ExportAuditRequest());

            // Each command twice: written before it ran (Started), and with its outcome, under one call id.
            var commands = entries.Where(e => e.Outcome != "Started").ToList();
            Assert.Equal(
            [
                ("company:vaktpartner", "/coordination.v1.CompanyService/RegisterUnits", "OK"),
                ("company:vaktpartner", "/coordination.v1.CompanyService/ReportUnit", "OK"),
                ("police:pod", "/coordination.v1.PoliceService/SetFrameworkAgreement", "OK"),
                ("police:sor-vest", "/coordination.v1.PoliceService/OpenIncident", "OK"),
                ("police:sor-vest", "/coordination.v1.PoliceService/RequestCapacity", "OK"),
                ("police:sor-vest", "/coordination.v1.PoliceService/RequestCapacity", "InvalidArgument"),
                ("company:vaktpartner", "/coordination.v1.CompanyService/ReportAssignmentProgress", "OK"),
                ("police:sor-vest", "/coordination.v1.PoliceService/CloseIncident", "OK"),
            ], commands.Select(e => ($"{e.Role}:{(e.Role == "company" ? e.Scope["company:".Length..] : e.Subject)}", e.Rpc, e.Outcome)));
            Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), entries.Select(e => e.Sequence)); // the export's own Started record is the last
            // A command refused before it reached its incident changed nothing and has its outcome record only.
            Assert.DoesNotContain(entries, e => e.Call == commands[5].Call && e.Outcome == "Started");
            Assert.All(commands.Where(c => c.Outcome == "OK"), c =>
            {
                var started = Assert.Single(entries, e => e.Call == c.Call && e.Outcome == "Started");
                Assert.True(started.Sequence < c.Sequence);
                Assert.Equal((c.Rpc, c.Subject, c.RequestId, c.IncidentId), (started.Rpc, started.Subject, started.RequestId, started.IncidentId));
            });
            Assert.Equal(commands.Count, commands.Select(c => c.Call).Distinct().Count());
            Assert.Equal(["r1", "r2"], commands.Where(e => e.Rpc.EndsWith("RequestCapacity", StringComparison.Ordinal)).Select(e => e.RequestId));
            Assert.Contains("not a lawful task", commands[5].Detail);
            Assert.Equal("districts:sor-vest", commands[3].Scope);

            var forIncident = await Export(directorate, new ExportAuditRequest { IncidentId = incidentId });
            Assert.Equal(8, forIncident.Count); // open, request, close, each twice, the refused request's outcome, and this export's own Started record (it names the incident)
            Assert.All(forIncident, e => Assert.Equal(incidentId, e.IncidentId));
        }

        var database = Path.Combine(data.Path, "coordination.db");

        // The 8 commands and the two exports, twice each (the status report's start record written by its unit),
        // but the request refused before it reached its incident: its outcome only.
        var verified = await Verify(database);
        Assert.Equal(0, verified.Code);
        Assert.StartsWith("audit chain intact: 19 entries", verified.Output, StringComparison.Ordinal);
        Assert.EndsWith("every change in the state has its record (1 incidents, 1 units checked)", verified.Output, StringComparison.Ordinal);

        // Someone with the file changes who closed the incident. The table refuses updates, so they drop its guard first.
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            await using var blocked = connection.CreateCommand();
            blocked.CommandText = "UPDATE AuditLog SET Subject = 'someone-else' WHERE Sequence = 16;";
            Assert.Throws<SqliteException>(() => blocked.ExecuteNonQuery());
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = "DROP TRIGGER AuditLog_NoUpdate; UPDATE AuditLog SET Subject = 'someone-else' WHERE Sequence = 6;";
            await tamper.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal((1, "audit chain BROKEN at entry 6: its content does not match its hash: it was changed"), await Verify(database));
    }

    internal static async Task<List<AuditEntry>> Export(PoliceService.PoliceServiceClient police, ExportAuditRequest request)
    {
        using var call = police.ExportAudit(request);
        var entries = new List<AuditEntry>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            entries.Add(call.ResponseStream.Current);
        }

        return entries;
    }

    private static async Task<(int Code, string Output)> Verify(string database)
    {
        var output = new StringWriter();
        var code = await Commands.RunAsync(["audit", "verify", "--database", database], output, new StringWriter());
        return (code, output.ToString().Trim());
    }

    [Fact]
    public void Every_rpc_of_the_api_is_declared_either_an_audited_command_or_a_read()
    {
        var rpcs = new[] { CompanyReflection.Descriptor, PoliceReflection.Descriptor, DashboardReflection.Descriptor, BulletinReflection.Descriptor, ObservationReflection.Descriptor }
            .SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}").ToHashSet();
        var rules = Coordination.Gateway.Security.RpcRules.OfApi();

        Assert.Equal(rpcs.Order(), rules.All.Select(r => r.Path).Order());
        Assert.Equal(
            [
                "/coordination.v1.BulletinService/AcknowledgeBulletin",
                "/coordination.v1.BulletinService/ExportBulletinCap",
                "/coordination.v1.BulletinService/IssueBulletin",
                "/coordination.v1.CompanyService/AnswerOffer",
                "/coordination.v1.CompanyService/RegisterUnits",
                "/coordination.v1.CompanyService/ReportAssignmentProgress",
                "/coordination.v1.CompanyService/ReportUnit",
                "/coordination.v1.CompanyService/StreamUnitReports",
                "/coordination.v1.ObservationService/AttachObservation",
                "/coordination.v1.ObservationService/GetObservationPhoto",
                "/coordination.v1.ObservationService/ReportObservation",
                "/coordination.v1.ObservationService/TriageObservation",
                "/coordination.v1.PoliceService/CancelRequest",
                "/coordination.v1.PoliceService/CloseIncident",
                "/coordination.v1.PoliceService/ExportAudit",
                "/coordination.v1.PoliceService/ExtendAssignment",
                "/coordination.v1.PoliceService/OpenIncident",
                "/coordination.v1.PoliceService/ReleaseUnits",
                "/coordination.v1.PoliceService/RequestCapacity",
                "/coordination.v1.PoliceService/SetCompanyLicence",
                "/coordination.v1.PoliceService/SetFrameworkAgreement",
            ],
            rules.All.Where(r => r.Command).Select(r => r.Path).Order(StringComparer.Ordinal));
    }
}
