using Coordination.Api.V1;
using Coordination.Gateway.Services;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own, so the viewer counts are only these tests' viewers.</summary>
public sealed class DashboardNode : NodeFixture;

/// <summary>Dashboards stream live figures: fast, resumable, shared, and never held up by a slow viewer.</summary>
public sealed class DashboardTests(DashboardNode fixture) : IClassFixture<DashboardNode>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private RunningNode Node => fixture.Node;

    private DashboardHub Hub => Node.Services.GetRequiredService<DashboardHub>();

    [Fact]
    public async Task A_district_watcher_sees_a_status_change_and_a_reconnect_with_its_version_misses_nothing_and_repeats_nothing()
    {
        var viewer = Dashboard(Node.Channel, Node.Tokens.Viewer("innlandet"));
        using var watch = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "innlandet" });
        var snapshot = await Next(watch);

        await Node.Company.RegisterUnitsAsync(Register("dash-co", Unit("d1", 3, "innlandet", "patrol")));
        await Node.Company.ReportUnitAsync(Report("dash-co", "d1", UnitStatus.Available));
        var update = await NextWhere(watch, u => u.Capacity.AvailableGuards == snapshot.Capacity.AvailableGuards + 3);
        Assert.NotEqual(snapshot.Version, update.Version);

        // Reconnecting with the version last seen: nothing is repeated...
        using var resumed = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "innlandet", AfterVersion = update.Version });
        var early = resumed.ResponseStream.MoveNext(CancellationToken.None);
        Assert.False(await Task.WhenAny(early, Task.Delay(700)) == early, "a resumed stream repeated the picture it already had");

        // ...and the next change arrives.
        await Node.Company.ReportUnitAsync(Report("dash-co", "d1", UnitStatus.OutOfService));
        Assert.True(await early.WaitAsync(Bound));
        Assert.Equal(snapshot.Capacity.AvailableGuards, resumed.ResponseStream.Current.Capacity.AvailableGuards);

        // A stale version gets the current picture at once.
        using var stale = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "innlandet", AfterVersion = snapshot.Version });
        Assert.Equal(resumed.ResponseStream.Current.Version, (await Next(stale)).Version);
    }

    [Fact]
    public async Task A_watcher_that_joins_while_a_change_is_not_yet_announced_is_not_sent_the_same_figures_again_under_the_next_version()
    {
        // The district announces changes every 50 ms. A watcher that joined between a change and its
        // announcement was given the new figures under the old version, then the same figures under
        // the next one: a viewer resuming from the first (Last-Event-ID) was sent a picture it had.
        // Under a loaded machine's slower writes this window opened in most full runs; here it is
        // opened on purpose: an announcement (the registration), then a change, then a watcher at once.
        var viewer = Dashboard(Node.Channel, Node.Tokens.Viewer("finnmark"));

        // Streams of earlier tests of this class may still be attached; this test only lets go of its own.
        var before = Hub.Viewers;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var company = Ids.Company("dash-pending");
            await Node.Company.RegisterUnitsAsync(Register(company, Unit("p1", 2, "finnmark", "patrol")));
            await Task.Delay(200);
            await Node.Company.ReportUnitAsync(Report(company, "p1", UnitStatus.Available));
            using (var watch = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "finnmark" }))
            {
                var first = await Next(watch);
                var second = watch.ResponseStream.MoveNext(CancellationToken.None);
                if (await Task.WhenAny(second, Task.Delay(500)) == second && await second)
                {
                    Assert.Fail($"attempt {attempt}: {first.Version} then {watch.ResponseStream.Current.Version} with nothing changed in between");
                }
            }

            await Node.Company.ReportUnitAsync(Report(company, "p1", UnitStatus.OutOfService));
            Assert.True(await Eventually.Holds(() => Task.FromResult(Hub.Viewers <= before)), $"attempt {attempt}: {Hub.Viewers} viewers still held, {before} before");
        }
    }

    [Fact]
    public async Task Five_hundred_watchers_on_one_gateway_share_one_subscription_and_all_receive_an_update()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{Node.GrpcPort}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        });
        var viewer = Dashboard(channel, Node.Tokens.Viewer("more-og-romsdal"));
        var before = await SettledViewers();
        var watches = Enumerable.Range(0, 500).Select(_ => viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "more-og-romsdal" })).ToList();
        try
        {
            var snapshots = await Task.WhenAll(watches.Select(Next));
            Assert.Equal(before + 500, Hub.Viewers);

            await Node.Company.RegisterUnitsAsync(Register("dash-500", Unit("m1", 2, "more-og-romsdal", "escort")));
            await Node.Company.ReportUnitAsync(Report("dash-500", "m1", UnitStatus.Available));
            var updates = await Task.WhenAll(watches.Select((w, i) => NextWhere(w, u => u.Capacity.AvailableGuards == snapshots[i].Capacity.AvailableGuards + 2)));

            Assert.Equal(500, updates.Length);
            Assert.Single(updates.Select(u => u.Version).Distinct());
        }
        finally
        {
            watches.ForEach(w => w.Dispose());
        }

        Assert.True(await Eventually.Holds(() => Task.FromResult(Hub.Viewers == before)), $"{Hub.Viewers} viewers left attached");
    }

    [Fact]
    public async Task A_watcher_that_stops_reading_does_not_delay_the_others_and_is_let_go_when_its_stream_ends()
    {
        var viewer = Dashboard(Node.Channel, Node.Tokens.Viewer("vest"));
        await SettledViewers();
        var slow = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "vest" });
        using var brisk = viewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "vest" });
        await Next(slow); // and then never reads again
        var start = await Next(brisk);
        var before = Hub.Viewers;

        await Node.Company.RegisterUnitsAsync(Register("dash-slow", Unit("v1", 1, "vest", "patrol"), Unit("v2", 1, "vest", "patrol"), Unit("v3", 1, "vest", "patrol")));
        foreach (var (unit, expected) in new[] { ("v1", 1), ("v2", 2), ("v3", 3) })
        {
            await Node.Company.ReportUnitAsync(Report("dash-slow", unit, UnitStatus.Available));
            await NextWhere(brisk, u => u.Capacity.AvailableGuards == start.Capacity.AvailableGuards + expected);
        }

        slow.Dispose();
        Assert.True(await Eventually.Holds(() => Task.FromResult(Hub.Viewers == before - 1)), $"{Hub.Viewers} viewers, expected {before - 1}");
    }

    [Fact]
    public async Task An_incident_watcher_sees_its_request_filled_and_its_timeline_grow()
    {
        await Node.Company.RegisterUnitsAsync(Register("dash-auto", Unit("o1", 2, "ost", "event-guidance")));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "dash-auto", Priorities = { Priority.High } });
        await Node.Company.ReportUnitAsync(Report("dash-auto", "o1", UnitStatus.Available));
        var incident = (await Node.Police.OpenIncidentAsync(Incident("ost", "dash-incident"))).IncidentId;
        var viewer = Dashboard(Node.Channel, Node.Tokens.Viewer("ost"));

        using var watch = viewer.WatchIncident(new WatchIncidentRequest { IncidentId = incident });
        Assert.True(await watch.ResponseStream.MoveNext(new CancellationTokenSource(Bound).Token));
        var opened = watch.ResponseStream.Current;
        Assert.Empty(opened.Incident.Requests);

        await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "event-guidance", 2, at: new GeoPoint { Latitude = 59.72, Longitude = 10.84 }));
        using var timeout = new CancellationTokenSource(Bound);
        IncidentUpdate? filled = null;
        while (await watch.ResponseStream.MoveNext(timeout.Token))
        {
            if (watch.ResponseStream.Current.Incident.Requests.SingleOrDefault()?.Status == RequestStatus.Filled)
            {
                filled = watch.ResponseStream.Current;
                break;
            }
        }

        Assert.NotNull(filled);
        Assert.NotEqual(opened.Version, filled.Version);
        Assert.Contains(filled.Incident.Timeline, e => e.Kind == TimelineKind.Committed && e.CompanyId == "dash-auto");

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var none = Dashboard(Node.Channel, Node.Tokens.Viewer("ost")).WatchIncident(new WatchIncidentRequest { IncidentId = "ost.never-opened" });
            await none.ResponseStream.MoveNext(CancellationToken.None);
        });
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_national_board_shows_an_open_incidents_fill_state_as_it_changes_to_readers_of_its_district_only()
    {
        await Node.Company.RegisterUnitsAsync(Register("board-co", Unit("b1", 3, "finnmark", "event-guidance")));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "board-co", Priorities = { Priority.Urgent } });
        await Node.Company.ReportUnitAsync(Report("board-co", "b1", UnitStatus.Available));
        using var national = Dashboard(Node.Channel, Node.Tokens.Viewer()).WatchNational(new WatchNationalRequest());
        var first = await Next(national);
        Assert.Equal(12, first.Districts.Count);

        // The unit became available before the watch began: the first picture may show it already.
        await StreamReads.ThisOrNextWhere(national, first, u => u.Districts.Any(d => d.Districts.Single() == "finnmark" && d.AvailableGuards >= 3), Bound);

        var incident = (await Node.Police.OpenIncidentAsync(Incident("finnmark", "board-incident", Priority.Urgent, exercise: true))).IncidentId;
        var listed = await NextWhere(national, u => u.Incidents.Any(i => i.IncidentId == incident));
        var line = listed.Incidents.Single(i => i.IncidentId == incident);
        Assert.True(line.Exercise);
        Assert.Equal("finnmark", line.DistrictId);
        Assert.Equal(0, line.RequestedGuards);

        await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "event-guidance", 3, at: new GeoPoint { Latitude = 69.97, Longitude = 23.27 }));
        var committed = await NextWhere(national, u => u.Incidents.Any(i => i.IncidentId == incident && i.CommittedGuards == 3));
        Assert.Equal(3, committed.Incidents.Single(i => i.IncidentId == incident).RequestedGuards);

        await Node.Company.ReportAssignmentProgressAsync(new AssignmentProgressRequest { CompanyId = "board-co", UnitId = "b1", Progress = AssignmentProgress.EnRoute });
        var moving = await NextWhere(national, u => u.Incidents.Any(i => i.IncidentId == incident && i.EnRouteGuards == 3));
        Assert.Equal(0, moving.Incidents.Single(i => i.IncidentId == incident).CommittedGuards);

        // Police of another district read the country's figures, never that district's incidents.
        using var agderPolice = Dashboard(Node.Channel, Node.Tokens.Police("agder")).WatchNational(new WatchNationalRequest());
        var seenByAgder = await Next(agderPolice);
        Assert.Equal(12, seenByAgder.Districts.Count);
        Assert.DoesNotContain(seenByAgder.Incidents, i => i.DistrictId != "agder");

        await Node.Police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incident, Reason = "exercise over" });
        await NextWhere(national, u => u.Incidents.All(i => i.IncidentId != incident));
    }

    [Fact]
    public async Task Dashboards_are_read_within_scope_only()
    {
        var company = Dashboard(Node.Channel, Node.Tokens.Company("dash-co"));
        var osloViewer = Dashboard(Node.Channel, Node.Tokens.Viewer("oslo"));

        var asCompany = await Assert.ThrowsAsync<RpcException>(() => Next(company.WatchDistrict(new WatchDistrictRequest { DistrictId = "oslo" })));
        var otherDistrict = await Assert.ThrowsAsync<RpcException>(() => Next(osloViewer.WatchDistrict(new WatchDistrictRequest { DistrictId = "vest" })));
        var national = await Assert.ThrowsAsync<RpcException>(() => Next(osloViewer.WatchNational(new WatchNationalRequest())));
        var nationalViewer = await Next(Dashboard(Node.Channel, Node.Tokens.Viewer()).WatchNational(new WatchNationalRequest()));

        Assert.Equal(StatusCode.PermissionDenied, asCompany.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, otherDistrict.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, national.StatusCode);
        Assert.Equal(12, nationalViewer.Capacity.Districts.Count);
    }

    /// <summary>Streams of the tests before are let go as their calls end: wait until none is left.</summary>
    private async Task<int> SettledViewers()
    {
        Assert.True(await Eventually.Holds(() => Task.FromResult(Hub.Viewers == 0)), $"{Hub.Viewers} viewers of earlier tests still attached");
        return 0;
    }

    private static DashboardService.DashboardServiceClient Dashboard(GrpcChannel channel, string token) =>
        new(channel.Intercept(TestTokens.Bearer(token)));

    private static Task<CapacityUpdate> Next(AsyncServerStreamingCall<CapacityUpdate> watch) => StreamReads.Next(watch, Bound);

    private static Task<CapacityUpdate> NextWhere(AsyncServerStreamingCall<CapacityUpdate> watch, Func<CapacityUpdate, bool> wanted) =>
        StreamReads.NextWhere(watch, wanted, Bound);
}
