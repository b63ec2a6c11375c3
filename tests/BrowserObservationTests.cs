using Coordination.Api.V1;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own, so Oslo's map and queue hold only this test's observations.</summary>
public sealed class BrowserObservationNode : NodeFixture;

/// <summary>Guard observations on the web dashboard of Oslo's police, in a real headless Chromium, reported and triaged over gRPC.</summary>
public sealed class BrowserObservationTests(BrowserObservationNode fixture, ITestOutputHelper output) : IClassFixture<BrowserObservationNode>
{
    // Generous: the page only has to show it eventually, on a busy two-core machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task The_district_map_and_the_queue_show_observations_as_they_arrive_urgent_ones_first_and_marked()
    {
        // Near Oslo's headquarters, so both are routed to Oslo.
        const string company = "bryggevakt";
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("b1", 2, "oslo", 59.9139, 10.7522, "patrol")));
        var guards = Node.Observations(Node.Tokens.Company(company));

        await using var browser = await Chromium.LaunchAsync();
        await browser.NavigateAsync($"http://127.0.0.1:{Node.HttpPort}/#token={Node.Tokens.Police("oslo")}");
        await browser.WaitForAsync("document.querySelector('#district-map')?.dataset.district === 'oslo'", Bound, "Oslo's observation map");
        await browser.WaitForAsync("document.getElementById('observation-queue')?.textContent === 'No open observations.'", Bound, "Oslo's empty queue, live");

        var vehicle = Sighting("b1", 59.9150, 10.7480, "Grey van circling the block, no plates", Jpeg());
        var first = (await guards.ReportObservationAsync(vehicle)).Observation;
        Assert.Equal("oslo", first.DistrictId);
        var marker = $"document.querySelector('#district-map .observation[data-observation=\"{first.Id}\"]')";
        var row = $"document.querySelector('#observation-queue .observation-row[data-observation=\"{first.Id}\"]')";

        // On the map: the category's symbol and how long ago the guard saw it (two minutes before the report).
        await browser.WaitForAsync($"{marker}?.dataset.category === 'suspicious-vehicle'", Bound, "the van on the district map");
        Assert.Equal("vehicle", (await browser.EvaluateAsync($"{marker}.querySelector('.symbol').dataset.icon"))!.GetValue<string>());
        Assert.Matches("^[23] min$", (await browser.EvaluateAsync($"{marker}.querySelector('.age').textContent"))!.GetValue<string>());
        Assert.Equal("false", (await browser.EvaluateAsync($"{marker}.dataset.urgent"))!.GetValue<string>());

        // In the queue: what the guard wrote, its stage and its photo.
        await browser.WaitForAsync($"{row}?.textContent.includes('Grey van circling the block')", Bound, "the van in the queue");
        var text = (await browser.EvaluateAsync($"{row}.textContent"))!.GetValue<string>();
        Assert.Contains("Suspicious vehicle", text, StringComparison.Ordinal);
        Assert.Contains("1 photo", text, StringComparison.Ordinal);
        Assert.Equal("new", (await browser.EvaluateAsync($"{row}.dataset.stage"))!.GetValue<string>());

        // A second one, needing police now: the queue updates and puts it first; the map marks it.
        var fire = Sighting("b1", 59.9120, 10.7560, "Smoke from a basement window, people inside");
        fire.Category = "fire-or-smoke";
        fire.NeedsPoliceNow = true;
        var second = (await guards.ReportObservationAsync(fire)).Observation;
        await browser.WaitForAsync($"document.querySelectorAll('#observation-queue .observation-row').length === 2 && document.querySelector('#observation-queue .observation-row').dataset.observation === '{second.Id}'",
            Bound, "the fire first in the queue, the van after it");
        Assert.Contains("NEEDS POLICE NOW", (await browser.EvaluateAsync("document.querySelector('#observation-queue .observation-row').textContent"))!.GetValue<string>(), StringComparison.Ordinal);
        var urgent = $"document.querySelector('#district-map .observation.urgent[data-observation=\"{second.Id}\"]')";
        await browser.WaitForAsync($"{urgent}?.querySelector('.urgent-mark')?.textContent === '!'", Bound, "the fire marked urgent on the map");
        Assert.Equal("fire", (await browser.EvaluateAsync($"{urgent}.querySelector('.symbol').dataset.icon"))!.GetValue<string>());

        var screenshot = await browser.ScreenshotAsync();
        var file = Path.Combine(AppContext.BaseDirectory, "observations.png");
        await File.WriteAllBytesAsync(file, screenshot);
        output.WriteLine($"screenshot: {file}");

        // Dismissed, the van leaves the map and the queue.
        await Node.Observations(Node.Tokens.Police("oslo")).TriageObservationAsync(new TriageObservationRequest { ObservationId = first.Id, Stage = ObservationStage.Dismissed, Message = "Delivery van, known" });
        await browser.WaitForAsync($"{marker} === null && {row} === null && document.querySelectorAll('#observation-queue .observation-row').length === 1", Bound, "the van gone from map and queue");
        Assert.Empty(browser.PageErrors);
    }
}
