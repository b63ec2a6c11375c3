using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>
/// District and national figures must always equal a recount of the units themselves. A cluster of its
/// own: in the shared one, other tests' units change on their own meanwhile (a unit committed to an
/// incident that never stored it is let go by its check a minute later), which no recount of this test's
/// units can see.
/// </summary>
public sealed class CapacityConsistencyTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task Figures_equal_a_recount_after_a_thousand_units_change_status_concurrently()
    {
        var random = new Random(20181);
        var districts = ReferenceData.Current.Districts.Select(d => d.Id).ToArray();
        var capabilities = ReferenceData.Current.Capabilities.Select(c => c.Id).ToArray();
        var companies = Enumerable.Range(0, 5).Select(i => Ids.Company($"load{i}")).ToArray();

        // What the cluster holds before (nothing, unless a test is added to this class); this test's units come on top.
        var baseline = await Task.WhenAll(districts.Select(d => fixture.Grains.GetGrain<IDistrictGrain>(d).GetCapacity()));

        // 1,000 units over 5 companies and all 12 districts.
        var roster = new List<(string Company, UnitRegistration Unit)>();
        foreach (var company in companies)
        {
            var units = Enumerable.Range(0, 200).Select(i => new UnitRegistration(
                $"u{i}",
                random.Next(1, 9),
                capabilities.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToArray(),
                districts[random.Next(districts.Length)],
                null)).ToList();
            await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(company, units);
            roster.AddRange(units.Select(u => (company, u)));
        }

        // Random walks along allowed transitions, all units at once, from both silos' point of view.
        var statuses = new[] { UnitStatus.Available, UnitStatus.Unavailable, UnitStatus.OutOfService };
        await Task.WhenAll(roster.Select(async entry =>
        {
            var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(entry.Company, entry.Unit.UnitId));
            var steps = new Random(entry.Unit.UnitId.GetHashCode() ^ entry.Company.Length);
            for (var i = 0; i < 4; i++)
            {
                await unit.ReportStatus(statuses[steps.Next(statuses.Length)], null);
            }
        }));

        // Recount from the units' own views.
        var views = (await Task.WhenAll(companies.Select(c => fixture.Grains.GetGrain<ICompanyGrain>(c).ListUnits()))).SelectMany(v => v).ToList();
        Assert.Equal(1000, views.Count);

        foreach (var (district, index) in districts.Select((d, i) => (d, i)))
        {
            var figures = await fixture.Grains.GetGrain<IDistrictGrain>(district).GetCapacity();
            var mine = views.Where(v => v.HomeDistrict == district).ToList();
            var available = mine.Where(v => v.CountedAvailable).ToList();

            Assert.Equal(baseline[index].RegisteredUnits, figures.RegisteredUnits - mine.Count);
            Assert.Equal(baseline[index].AvailableGuards + available.Sum(v => v.Headcount), figures.AvailableGuards);
            Assert.Equal(baseline[index].AvailableUnits + available.Count, figures.AvailableUnits);
            foreach (var capability in capabilities)
            {
                Assert.Equal(
                    baseline[index].ByCapability.Single(c => c.Capability == capability).AvailableGuards + available.Where(v => v.Capabilities.Contains(capability)).Sum(v => v.Headcount),
                    figures.ByCapability.Single(c => c.Capability == capability).AvailableGuards);
            }

            foreach (var status in Enum.GetValues<UnitStatus>())
            {
                Assert.Equal(
                    baseline[index].ByStatus.Single(s => s.Status == status).Units + mine.Count(v => v.Status == status),
                    figures.ByStatus.Single(s => s.Status == status).Units);
            }
        }

        // The national view catches up within its reporting interval and equals the sum of the districts.
        CapacityFigures? national = null;
        CapacityFigures? sum = null;
        var converged = await Eventually.Holds(async () =>
        {
            var parts = await Task.WhenAll(districts.Select(d => fixture.Grains.GetGrain<IDistrictGrain>(d).GetCapacity()));
            sum = CapacityFigures.Sum(parts, DateTimeOffset.UtcNow);
            national = await fixture.Grains.GetGrain<INationalGrain>(INationalGrain.Key).GetCapacity();
            return national.AvailableGuards == sum.AvailableGuards
                && national.RegisteredUnits == sum.RegisteredUnits
                && national.ByCapability.SequenceEqual(sum.ByCapability)
                && national.ByStatus.SequenceEqual(sum.ByStatus);
        });
        Assert.True(converged, $"national {national?.AvailableGuards} guards / {national?.RegisteredUnits} units; districts sum to {sum?.AvailableGuards} / {sum?.RegisteredUnits}");
    }
}
