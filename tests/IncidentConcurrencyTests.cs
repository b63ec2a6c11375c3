using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>A two-silo cluster of its own, so no other test's units take part in the competition.</summary>
public sealed class CompetitionCluster : ClusterFixture;

/// <summary>Many requests competing for few units: never double-booked, never over-filled, nothing left on the table.</summary>
public sealed class IncidentConcurrencyTests(CompetitionCluster fixture) : IClassFixture<CompetitionCluster>
{
    private const int Units = 20;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Fifty_concurrent_requests_for_twenty_units_commit_each_unit_once_and_fill_exactly_what_exists(int copiesOfEachCommand)
    {
        // A district per run, so the runs do not share units.
        var district = copiesOfEachCommand == 1 ? "agder" : "sor-vest";
        var home = ReferenceData.Current.DistrictsById[district].Position;
        var companies = new[] { Ids.Company("auto-a"), Ids.Company("auto-b") };
        foreach (var company in companies)
        {
            var grain = fixture.Grains.GetGrain<ICompanyGrain>(company);
            await grain.RegisterUnits(company, [.. Enumerable.Range(0, Units / 2).Select(i => new UnitRegistration($"u{i}", 1, ["static-guarding"], district, home))]);
            await grain.SetFrameworkAgreement([Priority.Urgent]);
            for (var i = 0; i < Units / 2; i++)
            {
                await fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, $"u{i}")).ReportStatus(UnitStatus.Available, null);
            }
        }

        var random = new Random(50);
        var incidents = Enumerable.Range(0, 5).Select(i => IncidentIds.Of(district, $"crisis-{i}-{Guid.NewGuid():N}"[..20])).ToArray();
        var requests = Enumerable.Range(0, 50).Select(i => (Incident: incidents[i % incidents.Length], Command: new RequestCapacity(
            $"r{i}", "static-guarding", random.Next(1, 4), home, DateTimeOffset.UtcNow, TimeSpan.FromHours(4), AllowPartial: true, AllowNeighbours: false, "police:test"))).ToList();
        var demand = requests.Sum(r => r.Command.Guards);

        // Every command is sent once, or twice at the same time with the same ids.
        await Task.WhenAll(incidents.SelectMany(id => Enumerable.Repeat(id, copiesOfEachCommand)).Select(id =>
            fixture.Grains.GetGrain<IIncidentGrain>(id).Open(new OpenIncident(id[(district.Length + 1)..], district, "Storm damage", home, Priority.Urgent, false, "police:test"))));
        await Task.WhenAll(requests.SelectMany(r => Enumerable.Repeat(r, copiesOfEachCommand)).Select(r =>
            fixture.Grains.GetGrain<IIncidentGrain>(r.Incident).RequestCapacity(r.Command)));

        var views = await Task.WhenAll(incidents.Select(id => fixture.Grains.GetGrain<IIncidentGrain>(id).Get()));
        var allRequests = views.SelectMany(v => v.Requests).ToList();
        var active = views.SelectMany(v => v.Requests.SelectMany(r => r.Assignments.Select(a => (Incident: v.IncidentId, Unit: UnitKey.Of(a.CompanyId, a.UnitId))))).ToList();

        Assert.Equal(50, allRequests.Count);
        Assert.All(allRequests, r => Assert.InRange(r.CommittedGuards, 0, r.Guards));
        Assert.All(allRequests, r => Assert.NotEqual(RequestStatus.Seeking, r.Status));
        Assert.Equal(active.Count, active.Select(a => a.Unit).Distinct().Count());
        Assert.Equal(Math.Min(demand, Units), allRequests.Sum(r => r.CommittedGuards));

        // Each unit agrees with the one incident that holds it.
        foreach (var (incident, unit) in active)
        {
            var view = await fixture.Grains.GetGrain<IGuardUnitGrain>(unit).Get();
            Assert.Equal((UnitStatus.Committed, incident), (view!.Status, view.IncidentId));
        }

        Assert.Equal(0, (await fixture.Grains.GetGrain<IDistrictGrain>(district).GetCapacity()).AvailableGuards);
    }
}
