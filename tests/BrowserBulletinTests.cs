using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core.Interceptors;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own, so the map holds only this test's bulletins.</summary>
public sealed class BrowserBulletinNode : NodeFixture;

/// <summary>Police bulletins on the web dashboard in a real headless Chromium, issued and acknowledged over gRPC.</summary>
public sealed class BrowserBulletinTests(BrowserBulletinNode fixture, ITestOutputHelper output) : IClassFixture<BrowserBulletinNode>
{
    // Generous: the page only has to show it eventually, on a busy two-core machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly GeoPoint OsloS = new() { Latitude = 59.9111, Longitude = 10.7528 };

    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task The_map_shows_a_bulletins_area_and_its_acknowledgement_progress_change_live_and_marks_exercises()
    {
        // A guard unit on duty inside the circle, so its company is the bulletin's recipient.
        const string company = "stasjonsvakt";
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("s1", 2, "oslo", 59.9120, 10.7500, "patrol")));
        var report = Report(company, "s1", UnitStatus.Available);
        report.Position = new GeoPoint { Latitude = 59.9115, Longitude = 10.7520 };
        await Node.Company.ReportUnitAsync(report);

        await using var browser = await Chromium.LaunchAsync();
        await browser.NavigateAsync($"http://127.0.0.1:{Node.HttpPort}/#token={Node.Tokens.Viewer()}");
        await browser.WaitForAsync("document.querySelector('#map [data-district=\"oslo\"]')?.dataset.available === '2'", Bound, "Oslo's 2 available guards on the map");
        Assert.Equal("No outstanding bulletins.", (await browser.EvaluateAsync("document.getElementById('bulletins').textContent"))!.GetValue<string>());

        var police = Bulletins(Node.Tokens.Police("oslo"));
        var issued = await police.IssueBulletinAsync(Bulletin("oslo", "missing-boy", Tlp.Green, Circle(OsloS, 2), "missing-person", "Missing boy (8), red jacket, last seen at Oslo S"));
        Assert.Equal(1, issued.RecipientsTotal);
        var label = $"document.querySelector('#map .bulletin-label[data-bulletin=\"{issued.Id}\"]')";
        var row = $"document.querySelector('.bulletin-row[data-bulletin=\"{issued.Id}\"]')";

        // The area is drawn where it is, and the callout says what it is and that nobody has acknowledged it yet.
        await browser.WaitForAsync($"document.querySelector('#map [data-bulletin-area=\"{issued.Id}\"] [data-shape=\"circle\"]')?.getAttribute('d')?.length > 0", Bound, "the circle around Oslo S");
        await browser.WaitForAsync($"{label}?.textContent.includes('0/1 acknowledged')", Bound, "0/1 acknowledged on the map");
        var callout = (await browser.EvaluateAsync($"{label}.textContent"))!.GetValue<string>();
        Assert.Contains("TLP:GREEN", callout, StringComparison.Ordinal);
        Assert.Contains("Missing person", callout, StringComparison.Ordinal);
        Assert.Contains("Missing boy (8)", callout, StringComparison.Ordinal);
        Assert.DoesNotContain("EXERCISE", callout, StringComparison.Ordinal);
        Assert.Contains("0/1 acknowledged", (await browser.EvaluateAsync($"{row}.textContent"))!.GetValue<string>(), StringComparison.Ordinal);

        // The company's control room acknowledges: the map and the list follow.
        await Bulletins(Node.Tokens.Company(company)).AcknowledgeBulletinAsync(new AcknowledgeBulletinRequest
        {
            CompanyId = company, BulletinId = issued.Id, Acknowledgement = AcknowledgementKind.Received,
        });
        await browser.WaitForAsync($"{label}?.textContent.includes('1/1 acknowledged')", Bound, "1/1 acknowledged on the map");
        await browser.WaitForAsync($"{row}?.textContent.includes('1/1 acknowledged')", Bound, "1/1 acknowledged in the list");

        // An exercise is marked as one, on the map and in the list.
        var drill = Bulletin("oslo", "harbour-drill", Tlp.Green, new BulletinArea { Districts = { "oslo" } }, "area-warning", "Drill: harbour closed to the public");
        drill.Status = BulletinStatus.Exercise;
        var exercise = await police.IssueBulletinAsync(drill);
        await browser.WaitForAsync($"document.querySelector('.bulletin-row[data-bulletin=\"{exercise.Id}\"] .exercise-tag')?.textContent === 'EXERCISE'", Bound, "the exercise bulletin marked EXERCISE in the list");
        await browser.WaitForAsync($"document.querySelector('#map .bulletin-label.exercise[data-bulletin=\"{exercise.Id}\"]')?.textContent.startsWith('EXERCISE')", Bound, "the exercise bulletin marked EXERCISE on the map");
        Assert.NotNull(await browser.EvaluateAsync($"document.querySelector('#map .bulletin-area.exercise[data-bulletin-area=\"{exercise.Id}\"] [data-district=\"oslo\"]')?.tagName"));

        var screenshot = await browser.ScreenshotAsync();
        var file = Path.Combine(AppContext.BaseDirectory, "bulletins.png");
        await File.WriteAllBytesAsync(file, screenshot);
        output.WriteLine($"screenshot: {file}");
        Assert.Empty(browser.PageErrors);
    }

    private BulletinService.BulletinServiceClient Bulletins(string token) => new(Node.Channel.Intercept(TestTokens.Bearer(token)));

    internal static BulletinArea Circle(GeoPoint centre, double radiusKm) => new() { Circle = new Circle { Centre = centre, RadiusKm = radiusKm } };

    /// <summary>A bulletin to every company with units in the area, in force for two hours, acknowledgement required within half an hour.</summary>
    internal static IssueBulletinRequest Bulletin(string district, string id, Tlp tlp, BulletinArea area, string kind = "general-information", string headline = "Heightened attention around the station")
    {
        var now = DateTimeOffset.UtcNow;
        return new IssueBulletinRequest
        {
            DistrictId = district,
            BulletinId = id,
            MessageType = BulletinMessageType.Alert,
            Kind = kind,
            Headline = headline,
            Description = "Issued by the operations centre.",
            Urgency = BulletinUrgency.Immediate,
            Severity = BulletinSeverity.Moderate,
            Certainty = BulletinCertainty.Observed,
            Status = BulletinStatus.Actual,
            Area = area,
            Audience = new BulletinAudience { Kind = BulletinAudienceKind.AllInArea },
            Tlp = tlp,
            Expires = Timestamp.FromDateTimeOffset(now.AddHours(2)),
            AcknowledgementRequired = true,
            AcknowledgeBy = Timestamp.FromDateTimeOffset(now.AddMinutes(30)),
        };
    }
}
