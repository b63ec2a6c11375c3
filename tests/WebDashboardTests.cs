using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Coordination.Api.V1;
using Coordination.Gateway.Services;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own for the browser-facing endpoints.</summary>
public sealed class WebNode : NodeFixture;

/// <summary>
/// The HTTP/1.1 endpoint a browser uses: sign-in to an HttpOnly cookie, the dashboard event streams
/// (the gRPC pictures as server-sent events), the built page, and the Orleans dashboard for operators.
/// </summary>
public sealed class WebDashboardTests(WebNode fixture) : IClassFixture<WebNode>
{
    private RunningNode Node => fixture.Node;

    private HttpClient Browser(CookieContainer? cookies = null) => new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{Node.HttpPort}"),
        Timeout = TimeSpan.FromSeconds(20),
    };

    [Fact]
    public async Task Signing_in_sets_an_http_only_strict_cookie_that_opens_the_event_stream_with_the_same_pictures_as_grpc()
    {
        using var browser = Browser();
        var refused = await browser.GetAsync("/api/v1/national/events");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var signIn = await browser.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer() });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        Assert.Contains("coordination_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("viewer", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());

        await Node.Company.RegisterUnitsAsync(Register("web-co", Unit("w1", 4, "nordland", "patrol")));
        await Node.Company.ReportUnitAsync(Report("web-co", "w1", UnitStatus.Available));

        using var stream = new EventReader(await browser.GetStreamAsync("/api/v1/districts/nordland/events"));
        var first = await stream.NextWhereAsync("capacity", p => p.GetProperty("capacity").GetProperty("availableGuards").GetInt32() == 4);
        var picture = JsonDocument.Parse(first.Data).RootElement;
        Assert.Equal(first.Id, picture.GetProperty("version").GetString());
        Assert.Equal("nordland", picture.GetProperty("capacity").GetProperty("districts")[0].GetString());

        // The next change reaches the browser's stream as a new picture with a new id.
        await Node.Company.ReportUnitAsync(Report("web-co", "w1", UnitStatus.OutOfService));
        var next = await stream.NextWhereAsync("capacity", p => p.GetProperty("capacity").GetProperty("availableGuards").GetInt32() == 0);
        Assert.NotEqual(first.Id, next.Id);
    }

    [Fact]
    public async Task A_reconnect_with_last_event_id_repeats_nothing_and_gets_the_next_change()
    {
        using var browser = Browser();
        await browser.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer("troms") });
        await Node.Company.RegisterUnitsAsync(Register("web-resume", Unit("r1", 2, "troms", "patrol")));
        await Node.Company.ReportUnitAsync(Report("web-resume", "r1", UnitStatus.Available));
        string last;
        using (var stream = new EventReader(await browser.GetStreamAsync("/api/v1/districts/troms/events")))
        {
            last = (await stream.NextWhereAsync("capacity", p => p.GetProperty("capacity").GetProperty("availableGuards").GetInt32() == 2)).Id;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/districts/troms/events");
        request.Headers.Add("Last-Event-ID", last);
        using var response = await browser.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var resumed = new EventReader(await response.Content.ReadAsStreamAsync());
        var early = resumed.NextAsync("capacity");
        if (await Task.WhenAny(early, Task.Delay(700)) == early)
        {
            Assert.Fail($"a resumed stream repeated the picture it already had ({last}): {(await early).Id}");
        }

        await Node.Company.ReportUnitAsync(Report("web-resume", "r1", UnitStatus.OutOfService));
        var change = await early.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotEqual(last, change.Id);
    }

    [Fact]
    public async Task A_wall_screens_district_stream_leaves_out_an_amber_bulletin_that_the_districts_police_see_under_the_same_version()
    {
        await Node.Company.RegisterUnitsAsync(Register("web-bulletin-co", Unit("b1", 2, "agder", "patrol")));
        await Node.Company.ReportUnitAsync(Report("web-bulletin-co", "b1", UnitStatus.Available));
        using var wallScreen = Browser();
        await wallScreen.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer("agder") });
        using var operationsCentre = Browser();
        await operationsCentre.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Police("agder") });
        using var viewerStream = new EventReader(await wallScreen.GetStreamAsync("/api/v1/districts/agder/events"));
        using var policeStream = new EventReader(await operationsCentre.GetStreamAsync("/api/v1/districts/agder/events"));

        var bulletins = new BulletinService.BulletinServiceClient(Node.Channel.Intercept(TestTokens.Bearer(Node.Tokens.Police("agder"))));
        var area = new BulletinArea { Districts = { "agder" } };
        var green = await bulletins.IssueBulletinAsync(BrowserBulletinTests.Bulletin("agder", "web-green", Tlp.Green, area));
        var amber = await bulletins.IssueBulletinAsync(BrowserBulletinTests.Bulletin("agder", "web-amber", Tlp.Amber, area));
        Assert.Equal(1, green.RecipientsTotal);
        Assert.Equal(1, amber.RecipientsTotal);

        // The district's police see both, once both have reached their recipient (nothing changes after that).
        static IEnumerable<JsonElement> Lines(JsonElement picture) => picture.GetProperty("bulletins").EnumerateArray();
        static bool Delivered(JsonElement picture, string id) =>
            Lines(picture).Any(l => l.GetProperty("bulletinId").GetString() == id && l.GetProperty("delivered").GetInt32() == 1);
        var police = await policeStream.NextWhereAsync("capacity", p => Delivered(p, green.Id) && Delivered(p, amber.Id));
        var amberLine = Lines(JsonDocument.Parse(police.Data).RootElement).Single(l => l.GetProperty("bulletinId").GetString() == amber.Id);
        Assert.Equal("TLP:AMBER", amberLine.GetProperty("tlpLabel").GetString());
        Assert.Equal("agder", amberLine.GetProperty("districtId").GetString());

        // The wall screen is sent every picture under the topic's own version, never a line above TLP:GREEN.
        var viewer = await viewerStream.NextWhereAsync("capacity", p =>
        {
            Assert.DoesNotContain(Lines(p), l => l.GetProperty("bulletinId").GetString() == amber.Id);
            return p.GetProperty("version").GetString() == police.Id;
        });
        var shown = Lines(JsonDocument.Parse(viewer.Data).RootElement).Select(l => l.GetProperty("bulletinId").GetString()).ToList();
        Assert.Equal([green.Id], shown);

        // Resuming the wall screen's stream from that version repeats nothing, and the next change still arrives.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/districts/agder/events");
        request.Headers.Add("Last-Event-ID", viewer.Id);
        using var response = await wallScreen.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var resumed = new EventReader(await response.Content.ReadAsStreamAsync());
        var early = resumed.NextAsync("capacity");
        if (await Task.WhenAny(early, Task.Delay(700)) == early)
        {
            Assert.Fail($"a resumed stream repeated the picture it already had ({viewer.Id}): {(await early).Id}");
        }

        await Node.Company.ReportUnitAsync(Report("web-bulletin-co", "b1", UnitStatus.OutOfService));
        var change = await early.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotEqual(viewer.Id, change.Id);
        Assert.DoesNotContain(amber.Id, change.Data, StringComparison.Ordinal);
        Assert.Contains(green.Id, change.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_browser_that_goes_away_gives_its_place_on_the_topic_back()
    {
        var hub = Node.Services.GetRequiredService<DashboardHub>();
        using var browser = Browser();
        await browser.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer() });

        // Streams of the tests before this one are let go as their connections close.
        Assert.True(await Eventually.Holds(() => Task.FromResult(hub.Viewers == 0)));
        var stream = new EventReader(await browser.GetStreamAsync("/api/v1/national/events"));
        await stream.NextAsync("capacity");
        Assert.Equal(1, hub.Viewers);

        stream.Dispose();
        Assert.True(await Eventually.Holds(() => Task.FromResult(hub.Viewers == 0)), $"{hub.Viewers} viewer(s) still held");
    }

    [Fact]
    public async Task Browser_requests_outside_the_callers_scope_get_the_http_status_the_grpc_api_would_give()
    {
        using var oslo = Browser();
        await oslo.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer("oslo") });
        Assert.Equal(HttpStatusCode.Forbidden, (await oslo.GetAsync("/api/v1/districts/vest/events")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await oslo.GetAsync("/api/v1/national/events")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await oslo.GetAsync("/api/v1/districts/atlantis/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await oslo.GetAsync("/api/v1/incidents/oslo.never-opened/events")).StatusCode);

        // Company tokens belong to company systems, not browsers; a forged token is refused outright.
        using var company = Browser();
        Assert.Equal(HttpStatusCode.Forbidden, (await company.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Company("web-co") })).StatusCode);
        var forged = Node.Tokens.Viewer()[..^4] + "AAAA";
        Assert.Equal(HttpStatusCode.Unauthorized, (await company.PostAsJsonAsync("/auth/session", new { token = forged })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await company.GetAsync("/api/v1/reference")).StatusCode);

        // Signing out ends the session.
        Assert.Equal(HttpStatusCode.NoContent, (await oslo.DeleteAsync("/auth/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oslo.GetAsync("/api/v1/reference")).StatusCode);
    }

    [Theory]
    [InlineData("GET", null, null, true)]
    [InlineData("POST", null, null, false)]
    [InlineData("DELETE", null, null, false)]
    [InlineData("GET", "application/grpc", null, false)]
    [InlineData("GET", null, "Bearer other", false)]
    public void The_session_cookie_stands_for_a_token_only_on_plain_get_requests(string method, string? contentType, string? authorization, bool used)
    {
        // So a command can never be sent on the strength of the cookie, whatever a page tries.
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Method = method;
        http.Request.ContentType = contentType;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        http.Request.Headers.Cookie = $"{Gateway.Web.BrowserSession.Cookie}=the-token";
        Assert.Equal(used ? "the-token" : null, Gateway.Web.BrowserSession.TokenFrom(http.Request));
    }

    [Fact]
    public async Task The_page_is_served_from_the_gateway_itself_with_a_strict_content_policy()
    {
        using var browser = Browser();
        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        Assert.NotEmpty(script);

        var asset = await browser.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Contains("immutable", asset.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        using var again = new HttpRequestMessage(HttpMethod.Get, script);
        again.Headers.TryAddWithoutValidation("If-None-Match", asset.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, (await browser.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/assets/missing.js")).StatusCode);
    }

    [Fact]
    public async Task The_orleans_dashboard_opens_for_operators_only()
    {
        using var anonymous = Browser();
        using var page = new HttpRequestMessage(HttpMethod.Get, "/orleans/");
        page.Headers.Accept.ParseAdd("text/html");
        var redirected = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = anonymous.BaseAddress }.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/?return=%2Forleans%2F", redirected.Headers.Location?.OriginalString);

        using var viewer = Browser();
        await viewer.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Viewer() });
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/orleans/DashboardCounters")).StatusCode);

        using var operatorBrowser = Browser();
        var signIn = await operatorBrowser.PostAsJsonAsync("/auth/session", new { token = Node.Tokens.Operator() });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        // The dashboard samples the cluster every second.
        Assert.True(await Eventually.Holds(async () =>
            (await operatorBrowser.GetFromJsonAsync<JsonElement>("/orleans/DashboardCounters")).GetProperty("hosts").GetArrayLength() > 0));
        Assert.Equal(HttpStatusCode.OK, (await operatorBrowser.GetAsync("/orleans/")).StatusCode);

        // An operator token gets nothing of the crisis data.
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorBrowser.GetAsync("/api/v1/national/events")).StatusCode);
    }
}
