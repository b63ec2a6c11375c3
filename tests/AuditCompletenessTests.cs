using Coordination.Api.V1;
using Coordination.Cli;
using Coordination.Silo.Audit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using DomainAuditEntry = Coordination.Domain.AuditEntry;

namespace Coordination.Tests;

/// <summary>
/// Every change has its audit record, whatever fails: a command's "Started" record is durable before
/// it runs, its outcome before it answers OK. And the verifier finds a change without a record even
/// when the chain itself is intact.
/// </summary>
public sealed class AuditCompletenessTests
{
    [Fact]
    public async Task A_command_whose_outcome_cannot_be_recorded_answers_unavailable_and_its_change_is_recorded_as_in_doubt()
    {
        using var data = new TempDirectory();
        var faults = new AuditFaults();
        await using (var node = await RunningNode.StartAsync(data.Path, services => services.AddSingleton(faults.Layer)))
        {
            var police = node.PoliceWith(node.Tokens.Police("agder"));

            // The change is made, then its outcome cannot be written: as when the gateway dies before answering.
            faults.FailOutcomes = true;
            var error = await Assert.ThrowsAsync<RpcException>(async () => await police.OpenIncidentAsync(Incident("agder", "doubt-1")));
            faults.FailOutcomes = false;

            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal(IncidentStatus.Open, (await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = "agder.doubt-1" })).Status);

            var verified = await Verify(data.Path);
            Assert.Equal(0, verified.Code);
            Assert.Contains("commands in doubt (started, no outcome recorded): 1", verified.Output);
            Assert.Contains("OpenIncident by police:agder (incident agder.doubt-1): it may have taken effect", verified.Output);

            // The retry with the same id is answered, and recorded, now that the log can be written. It finds the
            // incident open and changes nothing, so its record is its outcome alone.
            await police.OpenIncidentAsync(Incident("agder", "doubt-1"));
            var entries = (await AuditTests.Export(node.PoliceWith(node.Tokens.NationalPolice()), new ExportAuditRequest { IncidentId = "agder.doubt-1" }))
                .Where(e => e.Rpc.EndsWith("OpenIncident", StringComparison.Ordinal)).ToList();
            Assert.Equal(["Started", "OK"], entries.Select(e => e.Outcome));
            Assert.NotEqual(entries[0].Call, entries[1].Call);
        }
    }

    [Fact]
    public async Task No_command_runs_while_the_record_of_its_start_cannot_be_written()
    {
        using var data = new TempDirectory();
        var faults = new AuditFaults();
        await using var node = await RunningNode.StartAsync(data.Path, services => services.AddSingleton(faults.Layer));
        var company = node.CompanyAs("agvakt");

        faults.FailAll = true;
        var error = await Assert.ThrowsAsync<RpcException>(async () => await company.RegisterUnitsAsync(Register("agvakt", UnitAt("a1", 2, "agder", 58.15, 8.0, "patrol"))));
        faults.FailAll = false;

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Empty((await company.ListUnitsAsync(new ListUnitsRequest { CompanyId = "agvakt" })).Units);
    }

    [Fact]
    public async Task A_capacity_request_whose_start_cannot_be_recorded_commits_no_unit_and_stores_nothing_and_its_retry_fills_it()
    {
        using var data = new TempDirectory();
        var faults = new AuditFaults();
        await using var node = await RunningNode.StartAsync(data.Path, services => services.AddSingleton(faults.Layer));
        var company = Ids.Company("ahead");
        await node.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 2, "agder", 59.9111, 10.7528, "patrol")));
        await node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        await node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.High } });
        var police = node.PoliceWith(node.Tokens.Police("agder"));
        var incident = await police.OpenIncidentAsync(Incident("agder", "ahead-1"));

        // A unit's commitment is the first change of a capacity request, so its start record goes to the log
        // ahead of it, not with the incident's write: with the log down, no unit is asked at all.
        faults.FailAll = true;
        var error = await Assert.ThrowsAsync<RpcException>(async () => await police.RequestCapacityAsync(Capacity(incident.IncidentId, "r1", "patrol", 2)));
        faults.FailAll = false;

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(UnitStatus.Available, (await node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single().Status);
        Assert.Empty((await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId })).Requests);

        var filled = await police.RequestCapacityAsync(Capacity(incident.IncidentId, "r1", "patrol", 2));
        Assert.Equal(2, filled.CommittedGuards);
        var verified = await Verify(data.Path);
        Assert.Contains("every change in the state has its record", verified.Output);
    }

    [Fact]
    public async Task An_incident_command_keeps_its_start_record_with_its_change_while_the_log_is_down_and_appends_it_when_the_log_is_back()
    {
        using var data = new TempDirectory();
        var faults = new AuditFaults();
        await using (var node = await RunningNode.StartAsync(data.Path, services => services.AddSingleton(faults.Layer)))
        {
            var police = node.PoliceWith(node.Tokens.Police("agder"));

            // The incident opens (its start record goes with that write), but nothing reaches the chain: no OK.
            faults.FailAll = true;
            var error = await Assert.ThrowsAsync<RpcException>(async () => await police.OpenIncidentAsync(Incident("agder", "down-1")));
            Assert.Equal(StatusCode.Unavailable, error.StatusCode);
            Assert.Equal(IncidentStatus.Open, (await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = "agder.down-1" })).Status);

            // Read from the files alone: the change has its record (kept by the incident), and it is in doubt.
            var verified = await Verify(data.Path);
            Assert.Equal(0, verified.Code);
            Assert.Contains("commands in doubt (started, no outcome recorded): 1", verified.Output);
            Assert.Contains("(kept by its incident, not yet in the chain)", verified.Output);
            Assert.Contains("every change in the state has its record", verified.Output);

            // The log is back: the incident appends the record itself (its timer), without another command.
            faults.FailAll = false;
            var national = node.PoliceWith(node.Tokens.NationalPolice());
            Assert.True(
                await Eventually.Holds(async () => (await AuditTests.Export(national, new ExportAuditRequest { IncidentId = "agder.down-1" }))
                    .Any(e => e.Outcome == "Started" && e.Rpc.EndsWith("OpenIncident", StringComparison.Ordinal)), TimeSpan.FromSeconds(15)),
                "the start record kept by the incident never reached the chain");
        }

        // Appended once, and the outbox is stored empty: a restart appends nothing again.
        await using (var node = await RunningNode.StartAsync(data.Path))
        {
            var national = node.PoliceWith(node.Tokens.NationalPolice());
            await node.PoliceWith(node.Tokens.Police("agder")).GetIncidentAsync(new GetIncidentRequest { IncidentId = "agder.down-1" });
            await Task.Delay(TimeSpan.FromSeconds(1));
            var starts = (await AuditTests.Export(national, new ExportAuditRequest { IncidentId = "agder.down-1" }))
                .Where(e => e.Outcome == "Started" && e.Rpc.EndsWith("OpenIncident", StringComparison.Ordinal));
            Assert.Single(starts);
        }

        var after = await Verify(data.Path);
        Assert.Contains("every change in the state has its record", after.Output);
        Assert.DoesNotContain("kept by its incident", after.Output);
    }

    [Fact]
    public async Task A_record_whose_append_landed_but_whose_answer_was_lost_is_in_the_chain_once()
    {
        using var data = new TempDirectory();
        var faults = new AuditFaults();
        await using var node = await RunningNode.StartAsync(data.Path, services => services.AddSingleton(faults.Layer));
        var company = Ids.Company("lost");
        await node.Company.RegisterUnitsAsync(Register(company, UnitAt("u1", 2, "agder", 59.9111, 10.7528, "patrol")));
        await node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));
        await node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.High } });
        var police = node.PoliceWith(node.Tokens.Police("agder"));
        var incident = await police.OpenIncidentAsync(Incident("agder", "lost-1"));
        var filled = await police.RequestCapacityAsync(Capacity(incident.IncidentId, "r1", "patrol", 2));
        Assert.Equal(2, filled.CommittedGuards);

        // Progress is recorded without an incident id (its request names only the unit). Its records'
        // appends land, but the incident and the gateway hear a failure and try again: the log finds the
        // records already there, so the command answers OK (its records are durable) with each written once.
        faults.LoseAnswers = true;
        var progress = node.Company.ReportAssignmentProgressAsync(new AssignmentProgressRequest { CompanyId = company, UnitId = "u1", Progress = AssignmentProgress.EnRoute });
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        faults.LoseAnswers = false;
        Assert.Equal(UnitStatus.EnRoute, (await progress).Unit.Status);

        // Past the incident's retry (5 s) and the gateway writer's: whatever would be written twice is by now.
        await Task.Delay(TimeSpan.FromSeconds(7));
        var national = node.PoliceWith(node.Tokens.NationalPolice());
        var chain = await AuditTests.Export(national, new ExportAuditRequest { From = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-1)) });
        Assert.Single(chain, e => e.Outcome == "Started" && e.Rpc.EndsWith("ReportAssignmentProgress", StringComparison.Ordinal));
        var repeated = chain.Where(e => e.Call.Length > 0).GroupBy(e => (e.Call, e.Outcome)).Where(g => g.Count() > 1).Select(g => $"{g.First().Rpc} {g.Key.Outcome} x{g.Count()}").ToList();
        Assert.True(repeated.Count == 0, $"records written twice: {string.Join(", ", repeated)}");
        Assert.Equal(0, (await Verify(data.Path)).Code);
    }

    [Fact]
    public async Task The_verifier_reports_a_change_whose_record_is_missing_from_an_intact_chain_and_a_record_whose_change_is_not_in_the_state()
    {
        using var data = new TempDirectory();
        await using (var node = await RunningNode.StartAsync(data.Path))
        {
            var police = node.PoliceWith(node.Tokens.Police("agder"));
            await police.OpenIncidentAsync(Incident("agder", "gap-1"));
            await police.RequestCapacityAsync(Capacity("agder.gap-1", "r1", "patrol", 2));
            Assert.Equal(0, (await Verify(data.Path)).Code);
        }

        // Someone with the file (or a lost batch) leaves the opening out and writes a success for an incident that
        // never existed; the chain is sealed again, so every link holds.
        var database = Path.Combine(data.Path, "coordination.db");
        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            var entries = new List<DomainAuditEntry>();
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = $"{AuditRows.Select} ORDER BY Sequence";
                await using var reader = await read.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    entries.Add(AuditRows.Read(reader));
                }
            }

            var opening = entries.Where(e => e.Rpc.EndsWith("OpenIncident", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, opening.Count);
            var forged = entries[^1] with { Rpc = "/coordination.v1.PoliceService/OpenIncident", IncidentId = "agder.never", RequestId = "never", Outcome = "OK", Call = "forged" };
            var rewritten = entries.Except(opening).Append(forged).ToList();
            await using (var wipe = connection.CreateCommand())
            {
                wipe.CommandText = "DROP TRIGGER AuditLog_NoDelete; DELETE FROM AuditLog;";
                await wipe.ExecuteNonQueryAsync();
            }

            var previous = Coordination.Domain.AuditChain.Genesis;
            for (var i = 0; i < rewritten.Count; i++)
            {
                var sealedEntry = Coordination.Domain.AuditChain.Seal(rewritten[i] with { Sequence = i + 1, PreviousHash = previous });
                previous = sealedEntry.Hash;
                await using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO AuditLog (Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash, Call) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
                object?[] values = [sealedEntry.Sequence, sealedEntry.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), sealedEntry.Subject, sealedEntry.Role, sealedEntry.Scope,
                    sealedEntry.Rpc, sealedEntry.RequestId, sealedEntry.IncidentId, sealedEntry.Outcome, sealedEntry.Detail, sealedEntry.PreviousHash, sealedEntry.Hash, sealedEntry.Call];
                for (var p = 0; p < values.Length; p++)
                {
                    insert.Parameters.AddWithValue($"${p + 1}", values[p] ?? DBNull.Value);
                }

                await insert.ExecuteNonQueryAsync();
            }
        }

        SqliteConnection.ClearAllPools();
        var verified = await Verify(data.Path);

        Assert.Equal(1, verified.Code);
        Assert.StartsWith("audit chain intact:", verified.Output, StringComparison.Ordinal);
        Assert.Contains("changes without an audit record: 1", verified.Output);
        Assert.Contains("incident agder.gap-1: Opened #1", verified.Output);
        Assert.Contains("records of changes the state does not show: 1", verified.Output);
        Assert.Contains("incident agder.never is not in the state", verified.Output);
    }

    [Fact]
    public async Task The_verifier_finds_the_requests_an_incident_has_sealed_into_pages()
    {
        using var data = new TempDirectory();
        var requests = Coordination.Silo.Grains.Decisions.RequestArchive.PageSize + 2;
        await using (var node = await RunningNode.StartAsync(data.Path))
        {
            // No unit has this capability here: each request is unable to fill, then cancelled, and so archived.
            var police = node.PoliceWith(node.Tokens.Police("finnmark"));
            await police.OpenIncidentAsync(Incident("finnmark", "pages-1"));
            for (var i = 1; i <= requests; i++)
            {
                await police.RequestCapacityAsync(Capacity("finnmark.pages-1", $"r{i}", "escort", 2));
                await police.CancelRequestAsync(new CancelRequestRequest { IncidentId = "finnmark.pages-1", RequestId = $"r{i}", Reason = "not needed" });
            }

            Assert.Equal(requests, (await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = "finnmark.pages-1" })).Requests.Count(r => r.Status == RequestStatus.Cancelled));
        }

        var verified = await Verify(data.Path);

        Assert.True(verified.Code == 0, verified.Output);
    }

    private static async Task<(int Code, string Output)> Verify(string dataDirectory)
    {
        var output = new StringWriter();
        var code = await Commands.RunAsync(["audit", "verify", "--database", Path.Combine(dataDirectory, "coordination.db")], output, new StringWriter());
        return (code, output.ToString().Trim());
    }

    /// <summary>Fails audit appends on demand: all of them (the log cannot be written), or those holding an outcome.</summary>
    private sealed class AuditFaults
    {
        public volatile bool FailAll;
        public volatile bool FailOutcomes;

        /// <summary>Appends land, and then fail as if the answer was lost on the way back.</summary>
        public volatile bool LoseAnswers;

        public AuditStoreLayer Layer => new(inner => new Failing(inner, this));

        private sealed class Failing(IAuditStore inner, AuditFaults faults) : IAuditStore
        {
            public Task<Coordination.Domain.AuditEntry?> LastAsync() => inner.LastAsync();

            public async Task AppendAsync(IReadOnlyList<Coordination.Domain.AuditEntry> entries)
            {
                if (faults.FailAll || (faults.FailOutcomes && entries.Any(e => e.Outcome != DomainAuditEntry.Started)))
                {
                    throw new IOException("injected audit store fault: database or disk is full");
                }

                await inner.AppendAsync(entries);
                if (faults.LoseAnswers)
                {
                    throw new IOException("injected audit store fault: the connection dropped before the commit was confirmed");
                }
            }

            public Task<IReadOnlyList<Coordination.Domain.AuditEntry>> ReadAsync(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit) =>
                inner.ReadAsync(incidentId, from, to, afterSequence, limit);
        }
    }
}
