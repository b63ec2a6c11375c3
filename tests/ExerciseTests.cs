using Coordination.Api.V1;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Exercises run on real units but never take live capacity from a real incident unless they ask to.</summary>
[Collection(IncidentNodeCollection.Name)]
public sealed class ExerciseTests(IncidentNodeFixture fixture)
{
    private static readonly GeoPoint Trondheim = new() { Latitude = 63.4305, Longitude = 10.3951 };

    private RunningNode Node => fixture.Node;

    [Theory]
    [InlineData(false, "trondelag")]
    [InlineData(true, "nordland")]
    public async Task A_real_incident_takes_units_from_an_exercise_only_when_the_exercise_did_not_ask_for_live_capacity(bool exerciseUsesLiveCapacity, string district)
    {
        // Each case in a district of its own: the shared node keeps the other case's units.
        var company = Ids.Company("drill");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("d1", 2, district, 63.43, 10.40, "ordensvakt"), UnitAt("d2", 2, district, 63.44, 10.41, "ordensvakt")));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.Routine, Priority.Urgent } });
        await Node.Company.ReportUnitAsync(Report(company, "d1", UnitStatus.Available));
        await Node.Company.ReportUnitAsync(Report(company, "d2", UnitStatus.Available));

        var exercise = await Node.Police.OpenIncidentAsync(new OpenIncidentRequest(Incident(district, $"drill-{Guid.NewGuid():N}"[..20], Priority.Routine, exercise: true))
        {
            UsesLiveCapacity = exerciseUsesLiveCapacity,
        });
        var drill = await Node.Police.RequestCapacityAsync(Capacity(exercise.IncidentId, "r1", "ordensvakt", 4, at: Trondheim));
        Assert.Equal(RequestStatus.Filled, drill.Status);
        Assert.All((await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units, u => Assert.True(u.OnExercise));

        var real = await Node.Police.OpenIncidentAsync(Incident(district, $"real-{Guid.NewGuid():N}"[..20], Priority.Urgent));
        var needed = await Node.Police.RequestCapacityAsync(Capacity(real.IncidentId, "r1", "ordensvakt", 2, at: Trondheim));

        var exerciseAfter = await Node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = exercise.IncidentId });
        if (exerciseUsesLiveCapacity)
        {
            Assert.Equal(RequestStatus.UnableToFill, needed.Status);
            Assert.DoesNotContain(exerciseAfter.Timeline, e => e.Kind == TimelineKind.Released);
        }
        else
        {
            Assert.Equal(RequestStatus.Filled, needed.Status);
            var taken = needed.Assignments.Single();
            var released = exerciseAfter.Timeline.Single(e => e.Kind == TimelineKind.Released);
            Assert.Equal([taken.UnitId], released.UnitIds);
            Assert.Equal($"incident:{real.IncidentId}", released.Actor);
            Assert.Contains("needed by real incident", released.Reason);
            var unit = (await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single(u => u.UnitId == taken.UnitId);
            Assert.Equal((real.IncidentId, false), (unit.IncidentId, unit.OnExercise));
        }
    }
}
