using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>Every (from, to) pair, by company report and by assignment, against the status machine.</summary>
[Collection(ClusterCollection.Name)]
public sealed class UnitTransitionTests(ClusterFixture fixture)
{
    private static readonly UnitStatus[] All = Enum.GetValues<UnitStatus>();

    // What a company's control room may report, from each status.
    private static readonly Dictionary<UnitStatus, UnitStatus[]> CompanyMayReport = new()
    {
        [UnitStatus.Available] = [UnitStatus.Available, UnitStatus.Unavailable, UnitStatus.OutOfService],
        [UnitStatus.Unavailable] = [UnitStatus.Unavailable, UnitStatus.Available, UnitStatus.OutOfService],
        [UnitStatus.OutOfService] = [UnitStatus.OutOfService, UnitStatus.Available, UnitStatus.Unavailable],
        // Progress on an assignment goes through the incident (Progress), never a plain report.
        [UnitStatus.Committed] = [UnitStatus.Committed],
        [UnitStatus.EnRoute] = [UnitStatus.EnRoute],
        [UnitStatus.OnScene] = [UnitStatus.OnScene],
    };

    public static TheoryData<UnitStatus, UnitStatus> Pairs()
    {
        var data = new TheoryData<UnitStatus, UnitStatus>();
        foreach (var from in All)
        {
            foreach (var to in All)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_company_report_is_applied_only_where_the_status_machine_allows_it(UnitStatus from, UnitStatus to)
    {
        var unit = await RegisteredUnitIn(from);
        var allowed = CompanyMayReport[from].Contains(to);

        if (allowed)
        {
            var outcome = await unit.ReportStatus(to, null);
            Assert.Equal(to, outcome.Unit.Status);
            Assert.Equal(from != to, outcome.Changed);
        }
        else
        {
            var error = await Assert.ThrowsAsync<CoordinationException>(() => unit.ReportStatus(to, null));
            Assert.Equal(ErrorKind.FailedPrecondition, error.Code);
            Assert.Equal(from, (await unit.Get())!.Status);
        }

        Assert.Equal(allowed, UnitTransitions.IsAllowed(from, to, TransitionActor.Company));
    }

    [Fact]
    public async Task Progress_is_accepted_only_under_the_current_commitment_and_only_forward()
    {
        var unit = await RegisteredUnitIn(UnitStatus.Committed);

        var wrongCommitment = await Assert.ThrowsAsync<CoordinationException>(() => unit.Progress("another", UnitStatus.EnRoute));
        await unit.Progress("commitment", UnitStatus.OnScene);
        var backwards = await Assert.ThrowsAsync<CoordinationException>(() => unit.Progress("commitment", UnitStatus.EnRoute));

        Assert.Equal(ErrorKind.FailedPrecondition, wrongCommitment.Code);
        Assert.Equal(ErrorKind.FailedPrecondition, backwards.Code);
        Assert.Equal(UnitStatus.OnScene, (await unit.Get())!.Status);
    }

    [Fact]
    public async Task Only_an_assignment_commits_and_releases_and_a_unit_holds_one_commitment_at_a_time()
    {
        var unit = await RegisteredUnitIn(UnitStatus.Available);

        var committed = await unit.Commit("c-1", "incident-1");
        Assert.Equal(UnitStatus.Committed, committed.Status);
        Assert.Equal("incident-1", committed.IncidentId);

        // The same commitment again is the same commitment; another one is refused.
        Assert.Equal("incident-1", (await unit.Commit("c-1", "incident-1")).IncidentId);
        var error = await Assert.ThrowsAsync<CoordinationException>(() => unit.Commit("c-2", "incident-2"));
        Assert.Equal(ErrorKind.FailedPrecondition, error.Code);
        Assert.Contains("incident-1", error.Message);

        // Releasing a commitment that is not current changes nothing.
        Assert.Equal(UnitStatus.Committed, (await unit.Release("c-2")).Status);
        var released = await unit.Release("c-1");
        Assert.Equal(UnitStatus.Available, released.Status);
        Assert.Null(released.IncidentId);
    }

    [Theory]
    [InlineData(UnitStatus.Unavailable)]
    [InlineData(UnitStatus.OutOfService)]
    public async Task A_unit_that_is_not_available_cannot_be_committed(UnitStatus status)
    {
        var unit = await RegisteredUnitIn(status);

        var error = await Assert.ThrowsAsync<CoordinationException>(() => unit.Commit("c-1", "incident-1"));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Code);
        Assert.Equal(status, (await unit.Get())!.Status);
    }

    [Fact]
    public async Task Reporting_on_a_unit_that_was_never_registered_is_not_found()
    {
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(Ids.Company(), "ghost"));

        var error = await Assert.ThrowsAsync<CoordinationException>(() => unit.ReportStatus(UnitStatus.Available, null));

        Assert.Equal(ErrorKind.NotFound, error.Code);
    }

    /// <summary>A fresh unit driven to <paramref name="status"/> along allowed transitions.</summary>
    private async Task<IGuardUnitGrain> RegisteredUnitIn(UnitStatus status)
    {
        var company = Ids.Company();
        await fixture.Grains.GetGrain<ICompanyGrain>(company)
            .RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "oslo", null)]);
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1"));
        var path = status switch
        {
            UnitStatus.Unavailable => [],
            UnitStatus.Available => [UnitStatus.Available],
            UnitStatus.OutOfService => [UnitStatus.OutOfService],
            UnitStatus.Committed or UnitStatus.EnRoute or UnitStatus.OnScene => new[] { UnitStatus.Available },
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
        foreach (var step in path)
        {
            await unit.ReportStatus(step, null);
        }

        if (status is UnitStatus.Committed or UnitStatus.EnRoute or UnitStatus.OnScene)
        {
            await unit.Commit("commitment", "incident");
        }

        if (status is UnitStatus.EnRoute or UnitStatus.OnScene)
        {
            await unit.Progress("commitment", UnitStatus.EnRoute);
        }

        if (status is UnitStatus.OnScene)
        {
            await unit.Progress("commitment", UnitStatus.OnScene);
        }

        Assert.Equal(status, (await unit.Get())!.Status);
        return unit;
    }
}
