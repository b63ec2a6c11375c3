using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>
/// Guard observations on dashboards: a line without text on the district's stream for its police and
/// its wall screens, and the district's queue as a browser's event stream for its police.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ObservationDashboardTests(NodeFixture fixture)
{
    // Ålesund, at the district's headquarters: routed to Møre og Romsdal whatever the routing rule.
    private const string District = "more-og-romsdal";
    private const double Latitude = 62.4722;
    private const double Longitude = 6.1495;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_reported_observation_is_a_line_on_its_districts_stream_for_its_police_and_wall_screens_only_until_it_is_dismissed()
    {
        var company = Ids.Company("dash");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("d1", 2, District, Latitude, Longitude, "patrol")));
        using var police = Dashboard(Node.Tokens.Police(District)).WatchDistrict(new WatchDistrictRequest { DistrictId = District });
        using var viewer = Dashboard(Node.Tokens.Viewer(District)).WatchDistrict(new WatchDistrictRequest { DistrictId = District });

        // A position of this test's own: the wall screen is not given ids, so this is how it tells the line apart.
        var at = new GeoPoint { Latitude = Latitude + (Random.Shared.NextDouble() * 0.004), Longitude = Longitude + (Random.Shared.NextDouble() * 0.004) };
        var request = Sighting("d1", at.Latitude, at.Longitude, "Man trying car doors in the car park");
        request.Category = "suspicious-person";
        request.NeedsPoliceNow = true;
        var reported = (await Node.Observations(Node.Tokens.Company(company)).ReportObservationAsync(request)).Observation;
        Assert.Equal(District, reported.DistrictId);

        var forPolice = await NextWhere(police, u => u.Observations.Any(o => o.ObservationId == reported.Id));
        var line = forPolice.Observations.Single(o => o.ObservationId == reported.Id);
        Assert.Equal(("suspicious-person", "Suspicious person", true, ObservationStage.New), (line.Category, line.CategoryName, line.NeedsPoliceNow, line.Stage));
        Assert.Equal((at.Latitude, at.Longitude), (line.Position.Latitude, line.Position.Longitude));
        Assert.Equal((reported.SeenAt, reported.ReportedAt), (line.SeenAt, line.ReportedAt));

        // The wall screen gets the line, but not the id: it names the reporting company.
        var onScreen = (await NextWhere(viewer, u => u.Observations.Any(o => At(o, at)))).Observations.Single(o => At(o, at));
        Assert.Equal(("", "suspicious-person", true), (onScreen.ObservationId, onScreen.Category, onScreen.NeedsPoliceNow));

        // Nobody else: another district's police and a national wall screen on this district's stream (whose
        // picture has the line), another district's wall screen on its own, and the national stream.
        foreach (var (token, district) in new[] { (Node.Tokens.Police("vest"), District), (Node.Tokens.Viewer(), District), (Node.Tokens.Viewer("vest"), "vest") })
        {
            using var other = Dashboard(token).WatchDistrict(new WatchDistrictRequest { DistrictId = district });
            var picture = await Next(other);
            Assert.DoesNotContain(picture.Observations, o => At(o, at));
            Assert.NotEmpty(picture.Capacity.Districts);
        }

        using var national = Dashboard(Node.Tokens.NationalPolice()).WatchNational(new WatchNationalRequest());
        Assert.Empty((await Next(national)).Observations);

        // Seen, then dismissed: the line follows, then leaves both dashboards.
        var triage = Node.Observations(Node.Tokens.Police(District));
        await triage.TriageObservationAsync(new TriageObservationRequest { ObservationId = reported.Id, Stage = ObservationStage.Seen });
        await NextWhere(police, u => u.Observations.Any(o => o.ObservationId == reported.Id && o.Stage == ObservationStage.Seen));
        await triage.TriageObservationAsync(new TriageObservationRequest { ObservationId = reported.Id, Stage = ObservationStage.Dismissed, Message = "The owner, locked out" });
        await NextWhere(police, u => u.Observations.All(o => o.ObservationId != reported.Id));
        await NextWhere(viewer, u => !u.Observations.Any(o => At(o, at)));
    }

    [Fact]
    public async Task The_queue_as_a_browsers_event_stream_is_its_districts_polices_and_resumes_after_the_last_sequence_seen()
    {
        var company = Ids.Company("qweb");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("q1", 2, District, Latitude, Longitude, "patrol")));
        var guards = Node.Observations(Node.Tokens.Company(company));
        using var browser = await SignedIn(Node.Tokens.Police(District));

        // Connected before the report, so it arrives as a live event with its own sequence.
        var stream = new EventReader(await browser.GetStreamAsync($"/api/v1/districts/{District}/observations/events"));
        var first = (await guards.ReportObservationAsync(Sighting("q1", Latitude + 0.001, Longitude, "Crates left by the quay", Jpeg()))).Observation;
        var event1 = await stream.NextWhereAsync("observation", e => Id(e) == first.Id);
        var body = JsonDocument.Parse(event1.Data).RootElement;
        Assert.Equal(event1.Id, body.GetProperty("sequence").GetString());
        Assert.Equal("KIND_REPORTED", body.GetProperty("kind").GetString());
        Assert.Equal("Crates left by the quay", body.GetProperty("observation").GetProperty("text").GetString());
        Assert.Equal(1, body.GetProperty("observation").GetProperty("photos").GetArrayLength());
        stream.Dispose();

        // Away for a while: back with the last id seen, the browser gets what it missed, and not the first again.
        var second = (await guards.ReportObservationAsync(Sighting("q1", Latitude + 0.002, Longitude, "Smoke behind the warehouse"))).Observation;
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/districts/{District}/observations/events");
        resume.Headers.Add("Last-Event-ID", event1.Id);
        using var resumed = new EventReader(await (await browser.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead)).EnsureSuccessStatusCode().Content.ReadAsStreamAsync());
        var next = await resumed.NextAsync("observation");
        Assert.Equal(second.Id, Id(JsonDocument.Parse(next.Data).RootElement));
        Assert.True(long.Parse(next.Id, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(event1.Id, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_queue_stream_refuses_wall_screens_companies_and_other_districts_police()
    {
        using var wallScreen = await SignedIn(Node.Tokens.Viewer(District));
        Assert.Equal(HttpStatusCode.Forbidden, (await wallScreen.GetAsync($"/api/v1/districts/{District}/observations/events")).StatusCode);

        // A company system has no browser session, but it could send its token itself.
        using var companySystem = Browser();
        companySystem.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Node.Tokens.Company(Ids.Company("qref")));
        Assert.Equal(HttpStatusCode.Forbidden, (await companySystem.GetAsync($"/api/v1/districts/{District}/observations/events")).StatusCode);

        using var otherPolice = await SignedIn(Node.Tokens.Police("vest"));
        Assert.Equal(HttpStatusCode.Forbidden, (await otherPolice.GetAsync($"/api/v1/districts/{District}/observations/events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await otherPolice.GetAsync("/api/v1/districts/vest/observations/events?after_version=yesterday")).StatusCode);
    }

    private static bool At(ObservationLine line, GeoPoint at) => line.Position.Latitude == at.Latitude && line.Position.Longitude == at.Longitude;

    private static string? Id(JsonElement e) => e.GetProperty("observation").GetProperty("id").GetString();

    private DashboardService.DashboardServiceClient Dashboard(string token) => new(Node.Channel.Intercept(TestTokens.Bearer(token)));

    private HttpClient Browser() => new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Node.HttpPort}"),
        Timeout = TimeSpan.FromSeconds(20),
    };

    private async Task<HttpClient> SignedIn(string token)
    {
        var browser = Browser();
        (await browser.PostAsJsonAsync("/auth/session", new { token })).EnsureSuccessStatusCode();
        return browser;
    }

    private static Task<CapacityUpdate> Next(AsyncServerStreamingCall<CapacityUpdate> watch) => StreamReads.Next(watch, Bound);

    private static Task<CapacityUpdate> NextWhere(AsyncServerStreamingCall<CapacityUpdate> watch, Func<CapacityUpdate, bool> wanted) =>
        StreamReads.NextWhere(watch, wanted, Bound);
}
