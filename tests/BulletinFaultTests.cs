using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>
/// Acknowledged means stored, for bulletins: a failed write of the bulletin, of its district's list or
/// of a company's feed leaves nothing acknowledged that storage does not hold, a delivery whose answer
/// was lost is not recorded twice, and every delivery owed is finished by the bulletin itself.
/// </summary>
public sealed class BulletinFaultTests : IClassFixture<FaultCluster>
{
    private readonly FaultCluster fixture;

    public BulletinFaultTests(FaultCluster fixture)
    {
        this.fixture = fixture;
        fixture.Faults.Heal();
    }

    private IGrainFactory Grains => fixture.Grains;

    [Theory]
    [InlineData("bulletin")]
    [InlineData("district")]
    public async Task A_failed_write_of_the_bulletin_or_its_district_answers_unavailable_and_the_retry_issues_it_once(string failing)
    {
        var (company, bulletin) = await Prepared("write");
        fixture.Faults.FailNextWrite(failing, failing == "bulletin" ? bulletin.BulletinId : "vest");

        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Issue(bulletin));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Null(await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Peek());
        Assert.Empty(await Feed(company).Outstanding());

        var issued = await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Issue(bulletin);
        Assert.NotNull(issued.Recipients.Single().DeliveredAt);
        Assert.Equal([Id(bulletin)], await Feed(company).Outstanding());
        Assert.Single((await Events(company)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_write_of_a_company_feed_is_delivered_later_by_the_bulletin_itself_and_recorded_once(bool afterStoring)
    {
        var (company, bulletin) = await Prepared("feed");
        fixture.Faults.FailNextWrite("bulletin-feed", company, afterStoring: afterStoring);

        // Stored and acknowledged; the company does not have it yet.
        var issued = await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Issue(bulletin);
        Assert.Null(issued.Recipients.Single().DeliveredAt);

        // The bulletin's own timer delivers it; a delivery whose write did land (the answer lost) is not recorded again.
        Assert.True(await Eventually.Holds(async () => (await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Peek())!.Recipients.Single().DeliveredAt is not null, TimeSpan.FromSeconds(20)),
            "the bulletin never delivered what it owed");
        Assert.Equal([Id(bulletin)], await Feed(company).Outstanding());
        var events = (await Events(company));
        Assert.Single(events);
        Assert.Equal(1, events[0].Sequence);
    }

    [Fact]
    public async Task An_acknowledgement_whose_write_fails_is_not_kept_and_its_retry_is()
    {
        var (company, bulletin) = await Prepared("ack");
        await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Issue(bulletin);
        fixture.Faults.FailNextWrite("bulletin", Id(bulletin));

        var ack = new Acknowledgement(AcknowledgementKind.Received, 0, null);
        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Acknowledge(company, ack));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Null((await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Peek())!.Recipients.Single().Acknowledgement);

        var acknowledged = await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Acknowledge(company, ack);
        Assert.Equal(ack, acknowledged.Recipients.Single().Acknowledgement);
        Assert.Equal(ack, (await Grains.GetGrain<IBulletinGrain>(Id(bulletin)).Peek())!.Recipients.Single().Acknowledgement);
    }

    [Fact]
    public async Task An_update_whose_predecessor_cannot_be_written_is_refused_for_now_and_the_retry_takes_over_the_chain()
    {
        var (company, first) = await Prepared("chain");
        await Grains.GetGrain<IBulletinGrain>(Id(first)).Issue(first);
        var update = first with { BulletinId = $"{first.BulletinId}-u", Message = BulletinMessage.Update, References = Id(first) };
        fixture.Faults.FailNextWrite("bulletin", Id(first));

        var refused = await Assert.ThrowsAsync<CoordinationException>(() => Grains.GetGrain<IBulletinGrain>(Id(update)).Issue(update));
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Equal(BulletinState.Outstanding, (await Grains.GetGrain<IBulletinGrain>(Id(first)).Peek())!.State);

        var issued = await Grains.GetGrain<IBulletinGrain>(Id(update)).Issue(update);
        Assert.Equal([Id(first), Id(update)], issued.Chain);
        Assert.Equal((BulletinState.Updated, Id(update)), ((await Grains.GetGrain<IBulletinGrain>(Id(first)).Peek())!.State, (await Grains.GetGrain<IBulletinGrain>(Id(first)).Peek())!.SupersededBy));
        Assert.Equal([Id(update)], await Feed(company).Outstanding());
    }

    private async Task<(string Company, IssueBulletin Bulletin)> Prepared(string hint)
    {
        var company = Ids.Company($"bf-{hint}");
        var at = ReferenceData.Current.DistrictsById["vest"].Position;
        await Grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "vest", at)]);
        return (company, Bulletin($"{hint}-{Guid.NewGuid():N}"[..20], company));
    }

    internal static IssueBulletin Bulletin(string id, string company) => new(
        id, "vest", BulletinMessage.Alert, null, "area-warning", "Water main burst on Bryggen", null, "Keep guards away from the quay.",
        BulletinUrgency.Expected, BulletinSeverity.Moderate, BulletinCertainty.Observed, BulletinStatus.Actual,
        BulletinArea.OfDistricts("vest"), new BulletinAudience(AudienceKind.NamedCompanies, [company], null, false), Tlp.Green,
        DateTimeOffset.UtcNow.AddHours(2), false, null, null, "police:vest");

    internal static string Id(IssueBulletin b) => BulletinIds.Of(b.District, b.BulletinId);

    private ICompanyBulletinsGrain Feed(string company) => Grains.GetGrain<ICompanyBulletinsGrain>(company);

    /// <summary>Every event the company's feed would send a watcher from the start.</summary>
    private async Task<IReadOnlyList<BulletinFeedEvent>> Events(string company)
    {
        var observer = Grains.CreateObjectReference<IBulletinObserver>(new NoObserver());
        try
        {
            return (await Feed(company).Watch(observer, 0)).Events;
        }
        finally
        {
            await Feed(company).Unwatch(observer);
            Grains.DeleteObjectReference<IBulletinObserver>(observer);
        }
    }

    /// <summary>A watcher that hears nothing: only what the feed answers on watching is looked at.</summary>
    internal sealed class NoObserver : IBulletinObserver
    {
        public Task OnBulletin(BulletinNotice notice) => Task.CompletedTask;
    }
}

/// <summary>A bulletin cut off by a silo that dies while delivering it is finished by the next silo, with no client retrying.</summary>
public sealed class BulletinCrashTests(KillCluster fixture) : IClassFixture<KillCluster>
{
    [Fact]
    public async Task A_bulletin_cut_off_mid_delivery_by_a_killed_silo_is_delivered_by_the_next_silo_without_any_retry()
    {
        var grains = fixture.Grains;
        var (first, second) = (Ids.Company("crash-a"), Ids.Company("crash-b"));
        var at = ReferenceData.Current.DistrictsById["vest"].Position;
        foreach (var company in new[] { first, second })
        {
            await grains.GetGrain<ICompanyGrain>(company).RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "vest", at)]);
        }

        var bulletin = BulletinFaultTests.Bulletin($"crash-{Guid.NewGuid():N}"[..20], first) with
        {
            Audience = new BulletinAudience(AudienceKind.NamedCompanies, [first, second], null, false),
        };
        var id = BulletinFaultTests.Id(bulletin);

        // Stored with its recipients; the second company's feed never finishes its write: the silo dies right there.
        var stuck = fixture.Faults.HangNextWrite("bulletin-feed", second);
        var issuing = grains.GetGrain<IBulletinGrain>(id).Issue(bulletin);
        await stuck.WaitAsync(TimeSpan.FromSeconds(10));
        await fixture.Cluster.KillSiloAsync(fixture.Cluster.Silos[0]);
        _ = issuing.ContinueWith(t => t.Exception, TaskScheduler.Default); // the caller never hears back
        fixture.Faults.Heal();

        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();

        // Its district lists it and wakes it; it delivers what it still owed, once. (Only the feed is
        // watched: reading the bulletin would wake it, and the test is that nothing but the system does.)
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<ICompanyBulletinsGrain>(second).Outstanding()).Contains(id), TimeSpan.FromSeconds(30)),
            "the bulletin was never delivered to every recipient on its own");
        Assert.True(await Eventually.Holds(async () => (await grains.GetGrain<IBulletinGrain>(id).Peek())!.Recipients.All(r => r.DeliveredAt is not null)),
            "the feed has it, but the bulletin does not count it as delivered");
        foreach (var company in new[] { first, second })
        {
            Assert.Equal([id], await grains.GetGrain<ICompanyBulletinsGrain>(company).Outstanding());
        }

        Assert.Contains(id, await grains.GetGrain<IDistrictGrain>("vest").ListBulletins(false));
    }
}
