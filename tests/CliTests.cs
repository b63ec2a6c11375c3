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
