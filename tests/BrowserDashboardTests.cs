using Coordination.Api.V1;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own for the browser, so its board holds only this test's incidents.</summary>
public sealed class BrowserNode : NodeFixture;

/// <summary>The web dashboard in a real headless Chromium, updated live by gRPC calls.</summary>
public sealed class BrowserDashboardTests(BrowserNode fixture, ITestOutputHelper output) : IClassFixture<BrowserNode>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task The_dashboard_shows_an_incident_appear_and_its_fill_count_change_live_and_marks_exercises()
    {
        await Node.Company.RegisterUnitsAsync(Register("nordvakt",
            UnitAt("n1", 2, "oslo", 59.93, 10.75, "event-guidance"), UnitAt("n2", 2, "oslo", 59.92, 10.76, "event-guidance"),
            UnitAt("n3", 3, "oslo", 59.91, 10.74, "event-guidance")));
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "nordvakt", Priorities = { Priority.Urgent, Priority.High } });
        foreach (var unit in new[] { "n1", "n2", "n3" })
        {
            await Node.Company.ReportUnitAsync(Report("nordvakt", unit, UnitStatus.Available));
        }

        // Some capacity elsewhere in the country, so the map has figures to show.
        var districts = new[] { "innlandet", "sor-ost", "agder", "sor-vest", "vest", "more-og-romsdal", "trondelag", "nordland", "troms", "finnmark" };
        await Node.Company.RegisterUnitsAsync(Register("landsvakt", [.. districts.Select((d, i) => Unit($"l{i}", 2 + (i % 4) * 3, d, "patrol", "static-guarding"))]));
        foreach (var i in Enumerable.Range(0, districts.Length))
        {
            await Node.Company.ReportUnitAsync(Report("landsvakt", $"l{i}", UnitStatus.Available));
        }

        await using var browser = await Chromium.LaunchAsync();
        await browser.NavigateAsync($"http://127.0.0.1:{Node.HttpPort}/#token={Node.Tokens.Viewer()}");
        await browser.WaitForAsync("document.querySelector('#map [data-district=\"oslo\"]')?.dataset.available === '7'", Bound, "Oslo's 7 available guards on the map");
        await browser.WaitForAsync("document.getElementById('connection').dataset.state === 'live'", Bound, "a live connection");
        Assert.Equal("No open incidents.", (await browser.EvaluateAsync("document.getElementById('board').textContent"))!.GetValue<string>());

        // An incident opened over gRPC appears on the board with nothing committed...
        var incident = (await Node.Police.OpenIncidentAsync(Titled(Incident("oslo", "stadium", Priority.Urgent), "Stadium evacuation"))).IncidentId;
        var row = $"document.querySelector('[data-incident=\"{incident}\"]')";
        await browser.WaitForAsync($"{row}?.dataset.committed === '0'", Bound, "the new incident with nothing committed");

        // ...and its fill count changes as the framework-agreement company commits.
        await Node.Police.RequestCapacityAsync(Capacity(incident, "r1", "event-guidance", 4, at: new GeoPoint { Latitude = 59.95, Longitude = 10.73 }));
        await browser.WaitForAsync($"{row}?.dataset.committed === '4' && {row}.dataset.requested === '4'", Bound, "4 of 4 guards committed");
        Assert.Contains("committed 4", (await browser.EvaluateAsync($"{row}.textContent"))!.GetValue<string>(), StringComparison.Ordinal);

        // An exercise is marked as one on the board.
        var drillRequest = Titled(Incident("vest", "drill", Priority.Routine, exercise: true), "Harbour drill");
        drillRequest.Location = new GeoPoint { Latitude = 60.40, Longitude = 5.31 };
        var drill = (await Node.Police.OpenIncidentAsync(drillRequest)).IncidentId;
        await browser.WaitForAsync($"document.querySelector('[data-incident=\"{drill}\"] .exercise-tag')?.textContent === 'EXERCISE'", Bound, "the exercise marked EXERCISE");

        var screenshot = await browser.ScreenshotAsync();
        var file = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await File.WriteAllBytesAsync(file, screenshot);
        output.WriteLine($"screenshot: {file}");
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], screenshot[..4]);

        // The incident page follows the incident live too.
        await browser.EvaluateAsync($"location.hash = '#/incidents/{incident}'");
        await browser.WaitForAsync("document.querySelector('.timeline .committed') !== null", Bound, "the commitment on the incident's timeline");
        await Node.Company.ReportAssignmentProgressAsync(new AssignmentProgressRequest { CompanyId = "nordvakt", UnitId = "n1", Progress = AssignmentProgress.EnRoute });
        await browser.WaitForAsync("document.querySelector('.timeline .en-route') !== null", Bound, "the unit en route on the timeline");
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "incident.png"), await browser.ScreenshotAsync());

        Assert.Empty(browser.PageErrors);
    }

    internal static OpenIncidentRequest Titled(OpenIncidentRequest request, string title)
    {
        request.Title = title;
        return request;
    }
}

/// <summary>A node of its own, so the national viewer's board above is not this test's concern.</summary>
public sealed class BrowserDistrictNode : NodeFixture;

/// <summary>The web dashboard as a district's wall screen sees it.</summary>
public sealed class BrowserDistrictDashboardTests(BrowserDistrictNode fixture) : IClassFixture<BrowserDistrictNode>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_district_viewer_sees_its_own_district_and_its_incidents_only()
    {
        await Node.Company.RegisterUnitsAsync(Register("vestvakt", UnitAt("v1", 3, "vest", 60.39, 5.32, "patrol")));
        await Node.Company.ReportUnitAsync(Report("vestvakt", "v1", UnitStatus.Available));
        var ours = (await Node.Police.OpenIncidentAsync(BrowserDashboardTests.Titled(Incident("vest", "bergen-fire", Priority.High), "Bryggen fire"))).IncidentId;
        var theirs = (await Node.Police.OpenIncidentAsync(BrowserDashboardTests.Titled(Incident("agder", "kristiansand", Priority.High), "Harbour closure"))).IncidentId;

        await using var browser = await Chromium.LaunchAsync();
        await browser.NavigateAsync($"http://127.0.0.1:{Node.HttpPort}/#token={Node.Tokens.Viewer("vest")}");
        await browser.WaitForAsync($"document.querySelector('[data-incident=\"{ours}\"]') !== null", Bound, "the district's own incident");
        await browser.WaitForAsync("Number(document.querySelector('#map [data-district=\"vest\"]')?.dataset.available) === 3", Bound, "Vest's available guards on the map");

        Assert.Equal(1L, (await browser.EvaluateAsync("document.querySelectorAll('#map [data-district]').length"))!.GetValue<long>());
        Assert.False((await browser.EvaluateAsync($"document.querySelector('[data-incident=\"{theirs}\"]') !== null"))!.GetValue<bool>());
        Assert.Empty(browser.PageErrors);
    }

}
