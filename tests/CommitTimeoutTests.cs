using System.Collections.Concurrent;
using Coordination.Domain;
using Coordination.Silo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Coordination.Tests;

/// <summary>
/// A one-silo cluster whose calls between grains give up after 5 s (Orleans' response timeout), with
/// units that can be told to answer a commit late; units check their commitments within a second.
/// </summary>
public sealed class SlowUnitCluster : ClusterFixture
{
    // Long enough that no other call in the test comes near it on a busy machine.
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);

    protected override short Silos => 1;

    protected override TimeSpan CommitmentCheckAfter => TimeSpan.FromSeconds(1);

    public SlowCommits Slow { get; } = new();

    protected override void ConfigureSilo(ISiloBuilder silo)
    {
        silo.Services.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
        silo.Services.AddSingleton<IIncomingGrainCallFilter>(Slow);
    }
}

/// <summary>Holds a unit's next Commit inside the unit's turn for a while, then lets it run: the commit happens, its answer comes too late.</summary>
public sealed class SlowCommits : IIncomingGrainCallFilter
{
    // Per unit: how late its next commit runs, and what to tell the test once it has run.
    private readonly ConcurrentDictionary<string, (TimeSpan By, TaskCompletionSource<UnitStatus?> Ran)> _units = new(StringComparer.Ordinal);

    /// <summary>The unit's next commit waits this long; the task gives the status the commit left the unit in, once it has run.</summary>
    public Task<UnitStatus?> Delay(string unitKey, TimeSpan by)
    {
        var ran = new TaskCompletionSource<UnitStatus?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _units[unitKey] = (by, ran);
        return ran.Task;
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name != nameof(IGuardUnitGrain.Commit) || !_units.TryRemove(context.TargetId.Key.ToString(), out var slow))
        {
            await context.Invoke();
            return;
        }

        await Task.Delay(slow.By);
        try
        {
            await context.Invoke();
        }
        finally
        {
            slow.Ran.TrySetResult((context.Response?.Result as UnitView)?.Status);
        }
    }
}

/// <summary>
/// A unit that commits but answers after its incident stopped waiting: the incident took it as not
/// committed and went on, so the unit holds a commitment no incident stores. Nothing was acknowledged
/// with it, and the unit's own check lets it go; the next request finds it free.
/// </summary>
public sealed class CommitTimeoutTests(SlowUnitCluster fixture) : IClassFixture<SlowUnitCluster>
{
    [Fact]
    public async Task A_unit_whose_commit_answers_too_late_is_not_kept_and_is_free_again_for_the_next_request()
    {
        var company = Ids.Company("late");
        var at = ReferenceData.Current.DistrictsById["innlandet"].Position;
        await fixture.Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "innlandet", at)]);
        await fixture.Grains.GetGrain<ICompanyGrain>(company).SetFrameworkAgreement([Priority.Urgent]);
        var unitKey = UnitKey.Of(company, "u1");
        var unit = fixture.Grains.GetGrain<IGuardUnitGrain>(unitKey);
        await unit.ReportStatus(UnitStatus.Available, null);

        var requestId = $"late-{Guid.NewGuid():N}"[..16];
        var incidentId = IncidentIds.Of("innlandet", requestId);
        var incident = fixture.Grains.GetGrain<IIncidentGrain>(incidentId);
        await incident.Open(new OpenIncident(requestId, "innlandet", "Late unit", at, Priority.Urgent, false, "police:innlandet"));

        // The unit commits, but only after the incident has stopped waiting for it.
        var commitRan = fixture.Slow.Delay(unitKey, SlowUnitCluster.ResponseTimeout * 2);
        var first = await incident.RequestCapacity(new RequestCapacity("r1", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), false, false, "police:innlandet"));

        Assert.NotEqual(RequestStatus.Filled, first.Status);
        Assert.Empty(first.Assignments);
        Assert.Equal(OfferStatus.Withdrawn, first.Offers.Single().Status);
        Assert.Equal(UnitStatus.Committed, await commitRan.WaitAsync(TimeSpan.FromSeconds(30)));

        // Its check asks the incident, which does not hold the commitment and lets it go, on disk too.
        Assert.True(await Eventually.Holds(async () => (await unit.Get())!.Status == UnitStatus.Available, TimeSpan.FromSeconds(15)),
            $"the unit kept a commitment its incident never stored: {(await unit.Get())!.Status}");
        Assert.Null((await fixture.Stored<GuardUnitState>("unit", "guardunit", unitKey)).CommitmentId);
        var stored = await fixture.Stored<IncidentState>("incident", "incident", incidentId);
        Assert.DoesNotContain(stored.Requests.SelectMany(r => r.Assignments), a => a.UnitKey == unitKey);

        // The next request takes it.
        var second = await incident.RequestCapacity(new RequestCapacity("r2", "patrol", 2, at, DateTimeOffset.UtcNow, TimeSpan.FromHours(2), false, false, "police:innlandet"));
        Assert.Equal(RequestStatus.Filled, second.Status);
        Assert.Equal("u1", second.Assignments.Single().UnitId);
        Assert.Equal((UnitStatus.Committed, incidentId), ((await unit.Get())!.Status, (await unit.Get())!.IncidentId));
    }
}
