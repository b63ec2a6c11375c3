using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>
/// Acknowledged means stored, for observations: a failed write of the observation, its photo or its
/// queue leaves nothing acknowledged that storage does not hold and nothing in memory either; what a
/// stored observation still owes (its company's feed, its queue, its incident) it finishes by itself,
/// each recorded once.
/// </summary>
public sealed class ObservationFaultTests : IClassFixture<FaultCluster>
{
    private readonly FaultCluster fixture;

    public ObservationFaultTests(FaultCluster fixture)
    {
        this.fixture = fixture;
        fixture.Faults.Heal();
    }

    private IGrainFactory Grains => fixture.Grains;

    [Theory]
    [InlineData("observation")]
    [InlineData("observation-photo")]
    [InlineData("observation-queue")]
    public async Task A_failed_write_before_the_observation_is_stored_answers_unavailable_and_the_retry_reports_it_once(string failing)
    {
        var report = await Prepared("write");
        var id = Id(report);
        fixture.Faults.FailNextWrite(failing, failing == "observation-queue" ? "vest" : id);

        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Observation(id).Report(report));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Equal(ErrorKind.NotFound, (await Assert.ThrowsAsync<CoordinationException>(() => Observation(id).Get())).Code);
        Assert.DoesNotContain(id, await Queue().List(true));

        var reported = await Observation(id).Report(report);
        Assert.Equal(1, reported.Version);
        Assert.Single(await Queue().List(true), o => o == id);
        Assert.Single(await Events(report.CompanyId), e => e.ObservationId == id);
    }

    [Theory]
    [InlineData("observation-feedback", false)]
    [InlineData("observation-feedback", true)]
    [InlineData("observation-queue", false)]
    public async Task A_failed_delivery_after_the_observation_is_stored_is_finished_by_the_observation_itself_and_recorded_once(string failing, bool afterStoring)
    {
        var report = await Prepared("deliver");
        var id = Id(report);

        // The queue's first write is its expecting the observation; the delivery is the second.
        fixture.Faults.FailNextWrite(failing, failing == "observation-queue" ? "vest" : report.CompanyId, afterStoring: afterStoring, skip: failing == "observation-queue" ? 1 : 0);

        // Stored, so acknowledged; the timer delivers what is owed, with no retry.
        var reported = await Observation(id).Report(report);
        Assert.Equal(id, reported.Id);
        Assert.True(await Eventually.Holds(async () => (await Queue().List(false)).Contains(id) && (await Events(report.CompanyId)).Any(e => e.ObservationId == id), TimeSpan.FromSeconds(20)),
            "the observation never reached its queue and its company's feed");
        Assert.Single(await Events(report.CompanyId), e => e.ObservationId == id);
        Assert.Single(await Queue().List(true), o => o == id);
    }

    [Fact]
    public async Task Photos_of_a_report_whose_own_write_failed_are_erased_when_its_queue_wakes_it_and_a_later_retry_stores_them_again()
    {
        var report = await Prepared("orphan");
        var id = Id(report);
        var photo = Grains.GetGrain<IObservationPhotoGrain>(ObservationIds.Photo(id, 0));
        fixture.Faults.FailNextWrite("observation", id);
        await Assert.ThrowsAsync<CoordinationException>(() => Observation(id).Report(report));
        Assert.Equal(report.Photos[0].Data, (await photo.Read()).Data);

        // Its queue expected it, so it wakes it: nothing points at those bytes, so they go.
        await Observation(id).Wake("vest");
        Assert.True(await Eventually.Holds(async () =>
        {
            try
            {
                await photo.Read();
                return false;
            }
            catch (CoordinationException e) when (e.Code == ErrorKind.FailedPrecondition)
            {
                return true;
            }
        }), "the orphaned photo was not erased");

        var reported = await Observation(id).Report(report);
        Assert.Equal(report.Photos[0].Data, (await Observation(id).Photo(0)).Data);
        Assert.Equal(1, reported.Version);
    }

    [Fact]
    public async Task A_triage_step_whose_write_fails_is_not_kept_and_its_retry_is()
    {
        var report = await Prepared("triage");
        var id = Id(report);
        await Observation(id).Report(report);
        fixture.Faults.FailNextWrite("observation", id);

        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Observation(id).Triage(ObservationStage.Actioned, "On our way"));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Equal(ObservationStage.New, (await Observation(id).Get()).Stage);

        var actioned = await Observation(id).Triage(ObservationStage.Actioned, "On our way");
        Assert.Equal((ObservationStage.Actioned, 2L), (actioned.Stage, actioned.Version));
        Assert.True(await Eventually.Holds(async () => !(await Queue().List(false)).Contains(id)), "the queue still has it open");
    }

    [Fact]
    public async Task An_attachment_whose_incident_write_fails_is_put_on_the_timeline_by_the_observation_itself()
    {
        var report = await Prepared("attach");
        var id = Id(report);
        await Observation(id).Report(report);
        var requestId = $"obs-{Guid.NewGuid():N}"[..16];
        var incidentId = IncidentIds.Of("vest", requestId);
        await Grains.GetGrain<IIncidentGrain>(incidentId).Open(new OpenIncident(requestId, "vest", "Break-in at Bryggen", report.Position!.Value, Priority.High, false, "police:vest"));
        fixture.Faults.FailNextWrite("incident", incidentId);

        // The intent is stored; the incident's write failed, so the call is not acknowledged — and yet it finishes.
        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Observation(id).Attach(incidentId, null));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.True(await Eventually.Holds(async () => (await Grains.GetGrain<IIncidentGrain>(incidentId).Get()).Timeline.Any(e => e.ObservationId == id), TimeSpan.FromSeconds(20)),
            "the observation never reached the incident's timeline");
        Assert.Single((await Grains.GetGrain<IIncidentGrain>(incidentId).Get()).Timeline, e => e.Kind == TimelineKind.Observation);
        Assert.Equal(incidentId, (await Observation(id).Attach(incidentId, null)).IncidentId);
        Assert.Single((await Grains.GetGrain<IIncidentGrain>(incidentId).Get()).Timeline, e => e.Kind == TimelineKind.Observation);
    }

    internal static async Task<ReportObservation> Prepared(IGrainFactory grains, string hint)
    {
        var company = Ids.Company($"of-{hint}");
        var at = new GeoPoint(60.3913, 5.3221);
        await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "vest", at)]);
        return new ReportObservation(
            company, $"{hint}-{Guid.NewGuid():N}"[..20], "u1", DateTimeOffset.UtcNow.AddMinutes(-1), at, "suspicious-person",
            "Man trying car doors on Bryggen", false, null, null, [new PhotoUpload("image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])], "company:" + company);
    }

    internal static string Id(ReportObservation r) => ObservationIds.Of(r.CompanyId, r.ObservationId);

    /// <summary>What the company's feedback feed would send a watcher from the start (its open observations), or after a sequence (the events since).</summary>
    internal static async Task<IReadOnlyList<ObservationFeedEvent>> Events(IGrainFactory grains, string company, long after = 0)
    {
        var feed = grains.GetGrain<ICompanyObservationsGrain>(company);
        var observer = grains.CreateObjectReference<IObservationObserver>(new NoObserver());
        try
        {
            return (await feed.Watch(observer, after)).Events;
        }
        finally
        {
            await feed.Unwatch(observer);
            grains.DeleteObjectReference<IObservationObserver>(observer);
        }
    }

    private Task<ReportObservation> Prepared(string hint) => Prepared(Grains, hint);

    private Task<IReadOnlyList<ObservationFeedEvent>> Events(string company) => Events(Grains, company);

    private IObservationGrain Observation(string id) => Grains.GetGrain<IObservationGrain>(id);

    private IObservationQueueGrain Queue() => Grains.GetGrain<IObservationQueueGrain>("vest");

    private sealed class NoObserver : IObservationObserver
    {
        public Task OnObservation(ObservationNotice notice) => Task.CompletedTask;
    }
}

/// <summary>An observation cut off by a silo that dies while delivering it is finished by the next silo, with no client retrying.</summary>
public sealed class ObservationCrashTests(KillCluster fixture) : IClassFixture<KillCluster>
{
    [Fact]
    public async Task An_observation_cut_off_mid_delivery_by_a_killed_silo_reaches_its_queue_and_feed_from_the_next_silo_without_any_retry()
    {
        var grains = fixture.Grains;
        var report = await ObservationFaultTests.Prepared(grains, "crash");
        var id = ObservationFaultTests.Id(report);

        // Stored; its company's feed never finishes its write: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("observation-feedback", report.CompanyId);
        var reporting = grains.GetGrain<IObservationGrain>(id).Report(report);
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = reporting.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller never hears back
        fixture.Faults.Heal();

        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // Its queue expected it and wakes it when its district comes back at start; it delivers what it
        // still owed, once. (Only the feed and queue are watched: reading the observation would wake it.)
        Assert.True(await Eventually.Holds(async () => (await ObservationFaultTests.Events(grains, report.CompanyId)).Any(e => e.ObservationId == id), TimeSpan.FromSeconds(30)),
            "the observation never reached its company's feed on its own");
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IObservationQueueGrain>("vest").List(false)).Contains(id)),
            "the observation never reached its queue on its own");
        Assert.Single(await ObservationFaultTests.Events(grains, report.CompanyId), e => e.ObservationId == id);
    }

    [Fact]
    public async Task A_triage_step_cut_off_by_a_killed_silo_before_the_company_heard_it_reaches_the_company_from_the_next_silo()
    {
        var grains = fixture.Grains;
        var report = await ObservationFaultTests.Prepared(grains, "crash-triage");
        var id = ObservationFaultTests.Id(report);
        await grains.GetGrain<IObservationGrain>(id).Report(report);
        var reported = (await ObservationFaultTests.Events(grains, report.CompanyId)).Single(e => e.ObservationId == id).Sequence;

        // The step is stored; the company's feed never finishes recording it: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("observation-feedback", report.CompanyId);
        var triaging = grains.GetGrain<IObservationGrain>(id).Triage(ObservationStage.Actioned, "Patrol on its way");
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = triaging.ContinueWith(t => t.Exception, TaskScheduler.Default);
        fixture.Faults.Heal();

        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // The queue listed it before the step was stored, so it is woken and the step delivered, once.
        // (Closed, it is no longer among the feed's open ones: the events after the report's are looked at.)
        Assert.True(await Eventually.Holds(async () => (await ObservationFaultTests.Events(grains, report.CompanyId, reported)).Any(e => e.ObservationId == id && e.Version == 2), TimeSpan.FromSeconds(30)),
            "the triage step never reached the company on its own");
        Assert.Single(await ObservationFaultTests.Events(grains, report.CompanyId, reported), e => e.ObservationId == id);
        Assert.DoesNotContain(id, await grains.GetGrain<IObservationQueueGrain>("vest").List(false));
    }
}
