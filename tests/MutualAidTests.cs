using Coordination.Api.V1;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own, so the only units in the south are the ones these tests register.</summary>
public sealed class MutualAidNode : NodeFixture;

/// <summary>Neighbouring districts lend only when asked, and never below their protected reserve.</summary>
public sealed class MutualAidTests(MutualAidNode fixture) : IClassFixture<MutualAidNode>
{
    private static readonly GeoPoint Kristiansand = new() { Latitude = 58.1467, Longitude = 7.9956 };

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Neighbours_lend_only_when_allowed_never_below_their_reserve_and_an_unfillable_all_or_nothing_request_keeps_nothing()
    {
        // Agder has 2 guards; Sør-Vest 30 (reserve 20: lends 10); Sør-Øst 10 (reserve 25: lends none).
        await Units("agder-vakt", "agder", 1, 58.15, 8.0);
        await Units("sorvest-vakt", "sor-vest", 15, 58.97, 5.73);
        await Units("sorost-vakt", "sor-ost", 5, 59.27, 10.41);
        var incident = (await Node.Police.OpenIncidentAsync(Incident("agder", "storm", Priority.Urgent))).IncidentId;

        // First a request that cannot be filled and may not be filled in part: it finds 12 guards, then gives them back.
        var allOrNothing = await Node.Police.RequestCapacityAsync(Capacity(incident, "all", "static-guarding", 50, allowPartial: false, allowNeighbours: true, at: Kristiansand));
        var ownOnly = await Node.Police.RequestCapacityAsync(Capacity(incident, "own", "static-guarding", 20, allowPartial: true, allowNeighbours: false, at: Kristiansand));
        var withNeighbours = await Node.Police.RequestCapacityAsync(Capacity(incident, "aid", "static-guarding", 20, allowPartial: true, allowNeighbours: true, at: Kristiansand));

        Assert.Equal((RequestStatus.PartiallyFilled, 2), (ownOnly.Status, ownOnly.CommittedGuards));
        Assert.All(ownOnly.Assignments, a => Assert.Equal("agder-vakt", a.CompanyId));

        Assert.Equal((RequestStatus.PartiallyFilled, 10), (withNeighbours.Status, withNeighbours.CommittedGuards));
        Assert.All(withNeighbours.Assignments, a => Assert.Equal("sorvest-vakt", a.CompanyId));

        Assert.Equal(RequestStatus.UnableToFill, allOrNothing.Status);
        Assert.Equal(12, allOrNothing.Assignments.Sum(a => a.Guards));
        Assert.All(allOrNothing.Assignments, a => Assert.Equal(AssignmentStatus.Released, a.Status));

        // The lenders kept their reserves, and the all-or-nothing attempt gave back what it had.
        Assert.Equal(20, (await Node.Police.GetCapacityAsync(District("sor-vest"))).AvailableGuards);
        Assert.Equal(10, (await Node.Police.GetCapacityAsync(District("sor-ost"))).AvailableGuards);
        Assert.Equal(0, (await Node.Police.GetCapacityAsync(District("agder"))).AvailableGuards);
    }

    [Fact]
    public async Task Releasing_named_units_releases_only_those()
    {
        await Units("rel-vakt", "finnmark", 3, 69.73, 30.05);
        var incident = (await Node.Police.OpenIncidentAsync(Incident("finnmark", "border", Priority.Urgent))).IncidentId;
        var filled = await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "static-guarding", 6, at: new GeoPoint { Latitude = 69.73, Longitude = 30.05 }));
        var first = filled.Assignments[0];

        var after = await Node.Police.ReleaseUnitsAsync(new ReleaseUnitsRequest
        {
            IncidentId = incident,
            Units = { new ReleaseUnitsRequest.Types.UnitRef { CompanyId = first.CompanyId, UnitId = first.UnitId } },
        });

        var assignments = after.Requests.Single().Assignments;
        Assert.Equal(AssignmentStatus.Released, assignments.Single(a => a.UnitId == first.UnitId).Status);
        Assert.All(assignments.Where(a => a.UnitId != first.UnitId), a => Assert.Equal(AssignmentStatus.Committed, a.Status));
        Assert.Equal(2, (await Node.Police.GetCapacityAsync(District("finnmark"))).AvailableGuards);
        Assert.Equal(RequestStatus.Filled, after.Requests.Single().Status);
    }

    /// <summary>A company with a framework agreement for urgent work and <paramref name="count"/> available units of 2 guards.</summary>
    private async Task Units(string company, string district, int count, double latitude, double longitude)
    {
        await Node.Company.RegisterUnitsAsync(Register(company,
            [.. Enumerable.Range(0, count).Select(i => UnitAt($"u{i}", 2, district, latitude + (i / 1000.0), longitude, "static-guarding"))]));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.Urgent } });
        for (var i = 0; i < count; i++)
        {
            await Node.Company.ReportUnitAsync(Report(company, $"u{i}", UnitStatus.Available));
        }
    }
}
