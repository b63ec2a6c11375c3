using System.Xml.Linq;
using Coordination.Api.V1;
using Coordination.Cli;

namespace Coordination.Tests;

/// <summary>The README's worked example, run through the coord client against the running node.</summary>
[Collection(NodeCollection.Name)]
public sealed class CliTests(NodeFixture fixture)
{
    [Fact]
    public async Task Register_report_and_read_capacity_from_the_command_line()
    {
        var company = Ids.Company("cli");
        var police = await MintToken("--role", "police", "--districts", "more-og-romsdal");
        var control = await MintToken("--role", "company", "--company", company);
        var before = await Coord(police, "capacity", "--district", "more-og-romsdal");

        var registered = await Coord(control, "register", "--unit", "m1", "--headcount", "4", "--district", "more-og-romsdal", "--capabilities", "event-guidance,first-aid");
        var reported = await Coord(control, "report", "--unit", "m1", "--status", "available");
        var after = await Coord(police, "capacity", "--district", "more-og-romsdal");
        var refused = await Coord(control, "report", "--unit", "m1", "--status", "on-scene");
        var anonymous = await Coord(null, "capacity", "--district", "more-og-romsdal");

        Assert.Equal((0, "created 1, updated 0"), (registered.Code, registered.Output.Trim()));
        Assert.Equal(0, reported.Code);
        Assert.Contains("Available", reported.Output);
        Assert.Contains("counted", reported.Output);
        Assert.Equal(GuardsFor(before.Output, "event-guidance") + 4, GuardsFor(after.Output, "event-guidance"));
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("FailedPrecondition:", refused.Error);
        Assert.Equal(1, anonymous.Code);
        Assert.StartsWith("Unauthenticated:", anonymous.Error);
    }

    [Fact]
    public async Task An_incident_from_the_command_line_request_offer_answer_progress_close()
    {
        var company = Ids.Company("cli-inc");
        var control = await MintToken("--role", "company", "--company", company);
        var police = await MintToken("--role", "police", "--districts", "sor-ost");
        await Coord(control, "register", "--unit", "f1", "--headcount", "2", "--district", "sor-ost", "--capabilities", "first-aid", "--lat", "59.27", "--lon", "10.41");
        await Coord(control, "report", "--unit", "f1", "--status", "available");

        var opened = await Coord(police, "open", "--district", "sor-ost", "--request-id", $"cli-{Guid.NewGuid():N}"[..16], "--title", "Festival", "--lat", "59.27", "--lon", "10.41");
        var incident = opened.Output.Split(' ')[0];
        var requested = await Coord(police, "request", "--incident", incident, "--request-id", "r1", "--capability", "first-aid", "--guards", "2", "--lat", "59.27", "--lon", "10.41");
        var offer = requested.Output.Split('\n').Single(l => l.TrimStart().StartsWith("offer ", StringComparison.Ordinal)).Trim().Split(' ')[1];
        var watched = await Coord(control, "offers", "--seconds", "1");
        var answered = await Coord(control, "answer", "--offer", offer, "--commit", "f1");
        var moving = await Coord(control, "progress", "--unit", "f1", "--progress", "en-route");
        var shown = await Coord(police, "incident", "--incident", incident);
        var closed = await Coord(police, "close", "--incident", incident);

        Assert.Equal(0, opened.Code);
        Assert.Contains("request r1: Seeking 0/2 guards committed, 2 offered", requested.Output);
        Assert.Contains($"{offer} Pending 2 x first-aid in sor-ost", watched.Output);
        Assert.Equal($"{offer} Committed 2 guards", answered.Output.Trim());
        Assert.Contains("EnRoute", moving.Output);
        Assert.Contains("request r1: Filled 2/2 guards committed", shown.Output);
        Assert.Contains("EnRoute", shown.Output);
        Assert.Equal($"{incident} Closed", closed.Output.Trim());
    }

    [Fact]
    public async Task A_bad_argument_names_the_field_and_exits_with_one()
    {
        var control = await MintToken("--role", "company", "--company", Ids.Company("cli"));

        var result = await Coord(control, "register", "--unit", "m1", "--headcount", "0", "--district", "oslo", "--capabilities", "patrol");

        Assert.Equal(1, result.Code);
        Assert.Equal("InvalidArgument: units[0].headcount: must be at least 1 (was 0)", result.Error.Trim());
    }

    [Fact]
    public async Task Feed_every_sends_the_status_once_then_heartbeats_until_stopped_so_units_never_go_stale()
    {
        var company = Ids.Company("cli-hb");
        var control = await MintToken("--role", "company", "--company", company);
        await Coord(control, "register", "--unit", "h1", "--headcount", "2", "--district", "agder", "--capabilities", "patrol");
        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = new CancellationTokenSource();

        var feeding = Commands.RunAsync(["--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}", "--token", control,
            "feed", "--status", "available", "--units", "h1", "--every", "300ms"], TextWriter.Synchronized(output), TextWriter.Synchronized(error), stop.Token);

        // Available once, then heartbeats: the unit's last heartbeat keeps moving after its status changed.
        var units = fixture.Node.CompanyAs(company);
        Assert.True(await Eventually.Holds(async () => (await units.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single() is { Status: UnitStatus.Available } unit
            && unit.LastHeartbeat.ToDateTimeOffset() > unit.StatusChangedAt.ToDateTimeOffset().AddMilliseconds(500)));
        Assert.False(feeding.IsCompleted);

        await stop.CancelAsync();
        Assert.Equal(0, await feeding.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.StartsWith("received 1, applied 1, rejected 0\nheartbeats for h1 every 0.3 s until Ctrl+C or kill", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());

        // Heartbeats change nothing, so the audit log holds the registration and the one status feed only.
        var audited = await AuditTests.Export(fixture.Node.PoliceWith(fixture.Node.Tokens.NationalPolice()), new ExportAuditRequest());
        Assert.Equal(["/coordination.v1.CompanyService/RegisterUnits", "/coordination.v1.CompanyService/StreamUnitReports"],
            audited.Where(e => e.Subject == company && e.Outcome != "Started").Select(e => e.Rpc));
    }

    [Fact]
    public void Times_are_printed_in_local_time_with_their_offset()
    {
        var shown = Commands.Time(new DateTimeOffset(2026, 5, 17, 14, 31, 26, TimeSpan.Zero));

        // Whatever this machine's zone: the offset is printed, and the clock time agrees with it.
        Assert.Matches(@"^\d\d:\d\d:\d\d[+-]\d\d:\d\d$", shown);
        var offset = TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 5, 17, 14, 31, 26, DateTimeKind.Utc));
        Assert.Equal(new DateTimeOffset(2026, 5, 17, 14, 31, 26, TimeSpan.Zero).ToOffset(offset).ToString("HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture), shown);
    }

    [Fact]
    public async Task A_company_and_the_list_of_companies_from_the_command_line()
    {
        var company = Ids.Company("cli-co");
        var control = await MintToken("--role", "company", "--company", company);
        var directorate = await MintToken("--role", "police", "--national");
        await Coord(control, "register", "--name", "Vakt AS", "--unit", "c1", "--headcount", "2", "--district", "agder", "--capabilities", "patrol");
        await Coord(directorate, "agreement", "--company", company, "--priorities", "urgent");

        var own = await Coord(control, "company");
        var read = await Coord(directorate, "company", "--company", company);
        var listed = await Coord(directorate, "companies", "--page-size", "1");
        var refused = await Coord(control, "companies");

        var expected = $"{company,-20} {"Vakt AS",-24} licence Valid, framework agreement Urgent, 1 units (agder 1), 0 offers waiting";
        Assert.Equal((0, expected), (own.Code, own.Output.Trim()));
        Assert.Equal((0, expected), (read.Code, read.Output.Trim()));
        Assert.Equal(0, listed.Code);
        Assert.Contains(expected, listed.Output.Split('\n').Select(l => l.Trim()));
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("PermissionDenied:", refused.Error);
    }

    [Fact]
    public async Task A_bulletin_from_the_command_line_issue_list_show_acknowledge_watch_export()
    {
        var company = Ids.Company("cli-bul");
        var control = await MintToken("--role", "company", "--company", company);
        var police = await MintToken("--role", "police", "--districts", "oslo");
        await Coord(control, "register", "--unit", "b1", "--headcount", "2", "--district", "oslo", "--capabilities", "patrol", "--lat", "59.912", "--lon", "10.753");
        var local = $"cli-{Guid.NewGuid():N}"[..16];
        var id = $"oslo.{local}";

        var issued = await Coord(police, "bulletin", "issue", "--district", "oslo", "--id", local, "--kind", "wanted-vehicle",
            "--headline", "Grey Volvo V70, AB 12345, sought after a robbery", "--instruction", "Report sightings to Oslo operations centre.",
            "--tlp", "amber-strict", "--circle", "59.9111,10.7528,2", "--companies", company, "--expires", "6h", "--ack-by", "1h");
        var listed = await Coord(police, "bulletin", "list", "--district", "oslo");
        var own = await Coord(control, "bulletin", "list");
        var acknowledged = await Coord(control, "bulletin", "ack", id, "--relayed", "1");
        var shown = await Coord(police, "bulletin", "show", id);
        var watched = await Coord(control, "bulletin", "watch", "--seconds", "1");
        // AMBER+STRICT leaves the system as CAP only to its recipient companies.
        var exported = await Coord(control, "bulletin", "export", id);
        var policeOwnList = await Coord(police, "bulletin", "list");
        var refused = await Coord(control, "bulletin", "issue", "--district", "oslo", "--id", "x", "--kind", "area-warning", "--headline", "h", "--tlp", "clear", "--districts", "oslo");

        Assert.Equal((0, ""), (issued.Code, issued.Error));
        Assert.StartsWith($"{id} Outstanding TLP:AMBER+STRICT wanted-vehicle, ", issued.Output);
        Assert.Contains("0/1 acknowledged, acknowledge by ", issued.Output);
        Assert.Contains("area: 2 km around 59.9111,10.7528; audience: companies " + company, issued.Output);
        Assert.Contains("do not intervene", issued.Output);
        Assert.Contains(listed.Output.Split('\n'), line => line.StartsWith($"{id} Outstanding TLP:AMBER+STRICT", StringComparison.Ordinal));
        Assert.StartsWith($"{id} Outstanding TLP:AMBER+STRICT wanted-vehicle, 1/1 delivered, 0/1 acknowledged", own.Output);
        Assert.Equal((0, ""), (acknowledged.Code, acknowledged.Error));
        Assert.Contains("1/1 acknowledged", acknowledged.Output);
        Assert.Contains($"Relayed to 1 units", acknowledged.Output);
        Assert.Contains("1/1 acknowledged", shown.Output);
        Assert.Contains(shown.Output.Split('\n'), line => line.TrimStart().StartsWith(company, StringComparison.Ordinal) && line.Contains("delivered ") && line.Contains(", Relayed to 1 units "));

        // The watch starts with what is outstanding, each line with its sequence number to resume from.
        Assert.Equal((0, ""), (watched.Code, watched.Error));
        var eventLine = Assert.Single(watched.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"^\s*\d+ Outstanding +{System.Text.RegularExpressions.Regex.Escape(id)} Outstanding ", eventLine);

        Assert.Equal((0, ""), (exported.Code, exported.Error));
        XNamespace cap = "urn:oasis:names:tc:emergency:cap:1.2";
        var alert = XDocument.Parse(exported.Output).Root!;
        Assert.Equal(cap + "alert", alert.Name);
        Assert.Contains(alert.Descendants(cap + "headline"), h => h.Value == "Grey Volvo V70, AB 12345, sought after a robbery");

        Assert.Equal(1, refused.Code);
        Assert.StartsWith("PermissionDenied:", refused.Error);
        Assert.Equal(1, policeOwnList.Code);
        Assert.EndsWith("police and viewers list a district's bulletins with --district", policeOwnList.Error.Trim());
    }

    [Fact]
    public async Task A_bulletin_update_keeps_what_is_not_given_and_a_cancel_needs_only_what_it_follows()
    {
        var company = Ids.Company("cli-upd");
        var control = await MintToken("--role", "company", "--company", company);
        var police = await MintToken("--role", "police", "--districts", "oslo");
        await Coord(control, "register", "--unit", "u1", "--headcount", "2", "--district", "oslo", "--capabilities", "patrol");
        var local = $"cli-{Guid.NewGuid():N}"[..16];

        // An open ring: the command line closes it, as CAP requires.
        var issued = await Coord(police, "bulletin", "issue", "--district", "oslo", "--id", local, "--kind", "area-warning", "--headline", "Gas leak at Grønland",
            "--description", "Strong smell reported.", "--tlp", "green", "--status", "exercise", "--polygon", "59.90,10.74 59.92,10.74 59.92,10.77", "--companies", company);
        var updated = await Coord(police, "bulletin", "update", "--references", $"oslo.{local}", "--id", $"{local}-u", "--headline", "Gas leak at Grønland: area widened");
        var cancelled = await Coord(police, "bulletin", "cancel", "--references", $"oslo.{local}-u", "--id", $"{local}-c");
        var afterwards = await Coord(control, "bulletin", "list");

        Assert.Equal((0, ""), (issued.Code, issued.Error));
        Assert.Contains("area: polygon of 4 points", issued.Output);
        Assert.Equal((0, ""), (updated.Code, updated.Error));
        Assert.StartsWith($"oslo.{local}-u Outstanding TLP:GREEN EXERCISE area-warning Update of oslo.{local}, ", updated.Output);
        Assert.Contains(": Gas leak at Grønland: area widened", updated.Output);
        Assert.Contains("description: Strong smell reported.", updated.Output);
        Assert.Contains("area: polygon of 4 points; audience: companies " + company, updated.Output);
        Assert.Contains($"chain: oslo.{local} > oslo.{local}-u", updated.Output);
        Assert.Equal((0, ""), (cancelled.Code, cancelled.Error));
        Assert.StartsWith($"oslo.{local}-c Cancelled TLP:GREEN EXERCISE area-warning Cancel of oslo.{local}-u, ", cancelled.Output);
        Assert.Contains(": Cancelled: Gas leak at Grønland: area widened", cancelled.Output);
        Assert.DoesNotContain("description:", cancelled.Output);
        Assert.Equal((0, ""), (afterwards.Code, afterwards.Output));
    }

    /// <summary>The documented way to get a token: <c>coord token</c> with the node's development key.</summary>
    private async Task<string> MintToken(params string[] args)
    {
        var output = new StringWriter();
        var code = await Commands.RunAsync(["token", "--key", TestTokens.KeyFile(fixture.Node.DataDirectory), .. args], output, new StringWriter());
        Assert.Equal(0, code);
        return output.ToString().Trim();
    }

    private async Task<(int Code, string Output, string Error)> Coord(string? token, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] connection = token is null
            ? ["--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}"]
            : ["--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}", "--token", token];
        var code = await Commands.RunAsync([.. connection, .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static int GuardsFor(string capacityOutput, string capability)
    {
        var line = capacityOutput.Split('\n').Single(l => l.TrimStart().StartsWith(capability + " ", StringComparison.Ordinal));
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(parts[^2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
