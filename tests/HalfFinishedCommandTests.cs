using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>A one-silo cluster of its own, killed and replaced by a new silo on the same file.</summary>
public sealed class KillCluster : ClusterFixture
{
    protected override short Silos => 1;
}

/// <summary>
/// A multi-grain command cut off by a silo that dies in the middle finishes on its own: its intent was
/// written first, and the next activation (woken at start by its district) completes it, with no
/// client retrying. Unit, incident, district figures and board all agree afterwards.
/// </summary>
public sealed class HalfFinishedCommandTests(KillCluster fixture) : IClassFixture<KillCluster>
{
    [Theory]
    [InlineData("close", "sor-ost")]
    [InlineData("release", "vest")]
    [InlineData("cancel", "agder")]
    public async Task A_command_cut_off_by_a_killed_silo_is_finished_by_the_next_silo_without_any_retry(string command, string district)
    {
        var at = ReferenceData.Current.DistrictsById[district].Position;
        var company = Ids.Company("killed");
        var grains = fixture.Grains;
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district, at), new UnitRegistration("u2", 2, ["patrol"], district, at)]);
        await grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        foreach (var unit in new[] { "u1", "u2" })
        {
            await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, unit)).ReportStatus(UnitStatus.Available, null);
        }

        var requestId = $"kill-{Guid.NewGuid():N}"[..16];
        var id = IncidentIds.Of(district, requestId);
        var incident = grains.GetGrain<IIncidentGrain>(id);
        await incident.Open(new OpenIncident(requestId, district, "Killed mid-close", at, Priority.Urgent, false, $"police:{district}"));
        var filled = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 4, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), false, false, $"police:{district}"));
        Assert.Equal(RequestStatus.Filled, filled.Status);

        // The command writes its intent, then asks the units; u2's release never finishes: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("unit", UnitKey.Of(company, "u2"));
        var closing = command switch
        {
            "close" => incident.Close($"police:{district}", "all clear"),
            "release" => incident.Release([], $"police:{district}", "stood down"),
            _ => (Task)incident.CancelRequest("r1", $"police:{district}", "not needed"),
        };
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = closing.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller never hears back
        fixture.Faults.Heal();

        // A new silo on the same file: its warm-up wakes the districts, which wake their open incidents.
        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // Nothing touches the incident until both units are free again (a close: until the district no longer lists it).
        var districtGrain = grains.GetGrain<IDistrictGrain>(district);
        var units = new[] { "u1", "u2" }.Select(u => grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, u))).ToArray();
        Assert.True(await Eventually.Holds(async () => (await Task.WhenAll(units.Select(u => u.Get()))).All(u => u!.Status == UnitStatus.Available)
            && (command != "close" || !(await districtGrain.ListIncidents(false)).Contains(id)), TimeSpan.FromSeconds(30)),
            $"the {command} was never finished on its own");

        var view = await incident.Get();
        var request = view.Requests.Single();
        Assert.Equal(command == "close" ? IncidentStatus.Closed : IncidentStatus.Open, view.Status);
        Assert.Equal(command switch { "close" => RequestStatus.Completed, "release" => RequestStatus.Completed, _ => RequestStatus.Cancelled }, request.Status);
        Assert.All(request.Assignments, a => Assert.Equal(AssignmentStatus.Released, a.Status));
        Assert.Equal((0, 4), (request.CommittedGuards, request.ReleasedGuards));
        Assert.Equal(command == "close" ? 1 : 0, view.Timeline.Count(e => e.Kind == TimelineKind.Closed));
        Assert.Equal(command == "cancel" ? 1 : 0, view.Timeline.Count(e => e.Kind == TimelineKind.Cancelled));
        foreach (var unit in units)
        {
            Assert.Null((await unit.Get())!.IncidentId);
        }

        Assert.True(await Eventually.Holds(async () => (await districtGrain.GetCapacity()).AvailableUnits == 2), "the district's figures do not count both units as available again");
        var board = (await districtGrain.GetSituation()).Incidents.Where(i => i.IncidentId == id).ToList();
        Assert.True(command == "close" ? board.Count == 0 : board.All(i => i.CommittedGuards == 0), "the board disagrees with the incident");
    }

    [Fact]
    public async Task A_cancel_cut_off_after_sealing_a_page_of_requests_is_finished_by_the_next_silo_with_each_request_once()
    {
        const string district = "innlandet";
        var at = ReferenceData.Current.DistrictsById[district].Position;
        var company = Ids.Company("sealed");
        var grains = fixture.Grains;
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district, at)]);
        await grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1")).ReportStatus(UnitStatus.Available, null);

        var requestId = $"seal-{Guid.NewGuid():N}"[..16];
        var id = IncidentIds.Of(district, requestId);
        var incident = grains.GetGrain<IIncidentGrain>(id);
        await incident.Open(new OpenIncident(requestId, district, "Killed mid-seal", at, Priority.Urgent, false, $"police:{district}"));
        var start = DateTimeOffset.UtcNow;
        RequestCapacity Request(int i) => new($"r{i}", "patrol", 2, at, start, TimeSpan.FromHours(2), false, false, $"police:{district}");
        var pageSize = Coordination.Silo.Grains.Decisions.RequestArchive.PageSize;
        for (var i = 1; i <= pageSize; i++)
        {
            Assert.Equal(RequestStatus.Filled, (await incident.RequestCapacity(Request(i))).Status);
            if (i == pageSize)
            {
                break;
            }

            await incident.CancelRequest($"r{i}", $"police:{district}", null);
        }

        // The last cancel writes its intent, releases the unit, seals the page of cancelled requests,
        // and then the incident's own write never finishes: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("incident", id, skip: 1);
        var cancelling = incident.CancelRequest($"r{pageSize}", $"police:{district}", "not needed");
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        var page = await fixture.Stored<Coordination.Silo.Grains.RequestPageState>("requests", "requestpage", $"{id}/0");
        Assert.Equal(pageSize, page.Requests.Count); // the page is stored; the incident saying so is not
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = cancelling.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller never hears back
        fixture.Faults.Heal();

        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // Woken by its district, the incident finishes the cancel on its own and seals the same page again.
        Assert.True(await Eventually.Holds(async () => (await incident.Get()).Requests.All(r => r.Status == RequestStatus.Cancelled), TimeSpan.FromSeconds(30)),
            "the cancel was never finished on its own");
        var view = await incident.Get();
        Assert.Equal(Enumerable.Range(1, pageSize).Select(i => $"r{i}"), view.Requests.Select(r => r.RequestId));
        Assert.Equal(pageSize, view.Timeline.Count(e => e.Kind == TimelineKind.Cancelled));
        Assert.Equal(UnitStatus.Available, (await grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1")).Get())!.Status);
    }

    [Fact]
    public async Task A_capacity_request_cut_off_between_the_units_commitment_and_the_incidents_write_lets_the_unit_go_and_its_retry_fills_it()
    {
        const string district = "nordland";
        var at = ReferenceData.Current.DistrictsById[district].Position;
        var company = Ids.Company("cutoff");
        var grains = fixture.Grains;
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district, at)]);
        await grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        var unit = grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1"));
        await unit.ReportStatus(UnitStatus.Available, null);

        var requestId = $"cut-{Guid.NewGuid():N}"[..16];
        var id = IncidentIds.Of(district, requestId);
        var incident = grains.GetGrain<IIncidentGrain>(id);
        await incident.Open(new OpenIncident(requestId, district, "Killed mid-request", at, Priority.Urgent, false, $"police:{district}"));
        var command = new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), false, false, $"police:{district}");

        // The unit commits (its commitment is the intent); the incident's one write never finishes: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("incident", id);
        var requesting = incident.RequestCapacity(command);
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull((await fixture.Stored<Coordination.Silo.Grains.GuardUnitState>("unit", "guardunit", UnitKey.Of(company, "u1"))).CommitmentId);
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = requesting.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller never hears back
        fixture.Faults.Heal();

        // A new silo on the same file: its warm-up wakes the district, whose units report in; the committed
        // one asks its incident, which never stored the commitment and lets it go. No client retries meanwhile.
        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();
        Assert.True(await Eventually.Holds(async () => (await unit.Get())!.Status == UnitStatus.Available, TimeSpan.FromSeconds(30)),
            "the unit was never let go of a commitment nobody stored");
        Assert.Empty((await incident.Get()).Requests); // never acknowledged, never stored
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IDistrictGrain>(district).GetCapacity()).AvailableUnits == 1),
            "the district's figures do not count the unit as available again");

        var retried = await incident.RequestCapacity(command);

        Assert.Equal((RequestStatus.Filled, "u1"), (retried.Status, retried.Assignments.Single().UnitId));
        Assert.Equal((UnitStatus.Committed, id), ((await unit.Get())!.Status, (await unit.Get())!.IncidentId));
        Assert.Single((await incident.Get()).Timeline, e => e.Kind == TimelineKind.Committed);
    }
}
