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

    [Fact]
    public async Task An_observation_from_the_command_line_report_with_a_photo_list_triage_show_photo_attach()
    {
        // Near Bergen, the headquarters of Vest: observations go to the district of the nearest headquarters for now.
        var company = Ids.Company("cli-obs");
        var control = await MintToken("--role", "company", "--company", company);
        var police = await MintToken("--role", "police", "--districts", "vest");
        await Coord(control, "register", "--unit", "o1", "--headcount", "2", "--district", "vest", "--capabilities", "patrol", "--lat", "60.3925", "--lon", "5.3235");
        using var folder = new TempDirectory();
        var photo = ObservationBuilders.Jpeg(3_000);
        var photoFile = Path.Combine(folder.Path, "bag.jpg");
        await File.WriteAllBytesAsync(photoFile, photo);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));

        var reported = await Coord(control, "observation", "report", "--unit", "o1", "--at", "60.3920,5.3230", "--category", "suspicious-object",
            "--text", "Unattended bag by the fish market entrance, left by a man who walked off towards Bryggen.", "--seen", "5m", "--urgent", "--photo", photoFile);
        Assert.Equal((0, ""), (reported.Code, reported.Error));
        // The first line says how to retry: the same id, and the same moment rather than "5m" again.
        var retry = System.Text.RegularExpressions.Regex.Match(reported.Output.Split('\n')[0], @"^observation (obs-[0-9a-f]{12}) seen (\S+); a retry gives --id \1 --seen \2$");
        Assert.True(retry.Success, reported.Output);
        var (local, seenAt) = (retry.Groups[1].Value, retry.Groups[2].Value);
        var id = $"{company}/{local}";
        var retried = await Coord(control, "observation", "report", "--id", local, "--unit", "o1", "--at", "60.3920,5.3230", "--category", "suspicious-object",
            "--text", "Unattended bag by the fish market entrance, left by a man who walked off towards Bryggen.", "--seen", seenAt, "--urgent", "--photo", photoFile);
        var notARetry = await Coord(control, "observation", "report", "--id", local, "--unit", "o1", "--at", "60.3920,5.3230", "--category", "suspicious-object",
            "--text", "Unattended bag by the fish market entrance, left by a man who walked off towards Bryggen.", "--seen", "6m", "--urgent", "--photo", photoFile);
        var listed = await Coord(police, "observation", "list", "--district", "vest");
        var triaged = await Coord(police, "observation", "triage", id, "--stage", "seen", "--message", "Patrol on its way; keep people away from the bag.");
        var badStage = await Coord(police, "observation", "triage", id, "--stage", "later");
        var shown = await Coord(police, "observation", "show", id);
        var ownShown = await Coord(control, "observation", "show", id);
        var photoOut = Path.Combine(folder.Path, "read-back.jpg");
        var read = await Coord(police, "observation", "photo", id, "--out", photoOut);
        var companyRead = await Coord(control, "observation", "photo", id, "--out", Path.Combine(folder.Path, "company.jpg"));
        var incidentId = $"vest.{local}";
        var attached = await Coord(police, "observation", "attach", id, "--open", local, "--title", "Unattended bag at the fish market", "--priority", "urgent");
        var incident = await Coord(police, "incident", "--incident", incidentId);
        var categories = await Coord(control, "capabilities");

        // The report: the observation as stored, its photo's hash, and always the 112 notice.
        Assert.Contains($"{id} New URGENT suspicious-object, seen 5m ago, vest, 1 photo: Unattended bag by the fish market", reported.Output);
        Assert.Contains($"  photo 0: image/jpeg, {photo.Length} bytes, sha256 {sha256}", reported.Output);
        Assert.Contains("112", reported.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal((0, ""), (retried.Code, retried.Error));
        Assert.Contains($"{id} New URGENT suspicious-object, seen 5m ago", retried.Output);
        Assert.Equal(1, notARetry.Code);
        Assert.StartsWith("AlreadyExists:", notARetry.Error);
        Assert.EndsWith("--seen as the first attempt printed)", notARetry.Error.Trim());

        Assert.Equal((0, ""), (listed.Code, listed.Error));
        Assert.Single(listed.Output.Split('\n'), line => line.StartsWith($"{id} New URGENT suspicious-object, seen 5m ago, vest, 1 photo: Unattended bag by the fish", StringComparison.Ordinal));

        Assert.Equal((0, ""), (triaged.Code, triaged.Error));
        Assert.Equal(2, badStage.Code);
        Assert.StartsWith("--stage: 'later' is not one of seen|actioned|dismissed", badStage.Error);
        Assert.Equal((0, ""), (shown.Code, shown.Error));
        Assert.StartsWith($"{id} Seen URGENT suspicious-object", shown.Output);
        Assert.Matches(@"(?m)^  Seen +\d{4}-\d\d-\d\dT\S+ by \S+: Patrol on its way; keep people away from the bag\.$", shown.Output);
        Assert.Single(shown.Output.Split('\n'), line => line.StartsWith("  Seen ", StringComparison.Ordinal));
        Assert.Contains($"  photo 0: image/jpeg, {photo.Length} bytes, sha256 {sha256}", shown.Output);
        Assert.Contains("  routed to vest by its position", shown.Output);
        Assert.Equal((0, ""), (ownShown.Code, ownShown.Error));
        Assert.Contains("Patrol on its way", ownShown.Output);

        // The photo reads back byte for byte, with the hash it was reported with; the company may not read it.
        Assert.Equal((0, ""), (read.Code, read.Error));
        Assert.Equal(photo, await File.ReadAllBytesAsync(photoOut));
        Assert.Equal($"{id} photo 0: image/jpeg, {photo.Length} bytes, sha256 {sha256}, written to {photoOut}", read.Output.Trim());
        Assert.Equal(1, companyRead.Code);
        Assert.StartsWith("PermissionDenied:", companyRead.Error);

        // Onto a new incident at its position, which shows it on its timeline.
        Assert.Equal((0, ""), (attached.Code, attached.Error));
        Assert.StartsWith($"{id} Seen URGENT suspicious-object, seen 5m ago, vest, 1 photo, incident {incidentId}: ", attached.Output);
        Assert.Equal(0, incident.Code);
        Assert.Contains(incident.Output.Split('\n'), line => line.Contains(" Observation ", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));

        // The categories a report may have are listed where its help says.
        Assert.Contains(categories.Output.Split('\n'), line => line.StartsWith("observation category: suspicious-object ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_observation_argument_exits_with_two_and_sends_nothing()
    {
        var company = Ids.Company("cli-obsx");
        var control = await MintToken("--role", "company", "--company", company);
        await Coord(control, "register", "--unit", "x1", "--headcount", "2", "--district", "agder", "--capabilities", "patrol");
        using var folder = new TempDirectory();
        string[] report = ["observation", "report", "--unit", "x1", "--category", "other", "--text", "Broken window at the back of the warehouse."];

        var oneNumber = await Coord(control, [.. report, "--id", "bad-at", "--at", "58.147"]);
        var notANumber = await Coord(control, [.. report, "--id", "bad-lon", "--at", "58.147,east"]);
        var noFile = await Coord(control, [.. report, "--id", "no-file", "--at", "58.147,7.996", "--photo", Path.Combine(folder.Path, "missing.jpg")]);
        var sent = await Coord(control, [.. report, "--id", "good", "--at", "58.147,7.996"]);
        var feedback = await Coord(control, "observation", "feedback", "--seconds", "3");

        Assert.Equal((2, ""), (oneNumber.Code, oneNumber.Output));
        Assert.StartsWith("--at: '58.147' is not LAT,LON (two numbers", oneNumber.Error);
        Assert.Equal((2, ""), (notANumber.Code, notANumber.Output));
        Assert.StartsWith("--at: '58.147,east' is not LAT,LON", notANumber.Error);
        Assert.Equal((2, ""), (noFile.Code, noFile.Output));
        Assert.StartsWith("--photo: ", noFile.Error);
        Assert.Contains("missing.jpg", noFile.Error);

        // Only the good one reached the node: the company's stream starts with its open observations.
        Assert.Equal((0, ""), (sent.Code, sent.Error));
        Assert.Equal((0, ""), (feedback.Code, feedback.Error));
        var line = Assert.Single(feedback.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches($@"^\s*\d+ Open +{System.Text.RegularExpressions.Regex.Escape(company)}/good New other, seen \d+s ago, agder, 0 photos: Broken window", line);
    }

    [Fact]
    public async Task Observation_watch_and_feedback_print_each_event_with_its_sequence_and_resume_after_it()
    {
        // Near Trondheim, the headquarters of Trøndelag.
        var company = Ids.Company("cli-obsw");
        var control = await MintToken("--role", "company", "--company", company);
        var police = await MintToken("--role", "police", "--districts", "trondelag");
        await Coord(control, "register", "--unit", "w1", "--headcount", "2", "--district", "trondelag", "--capabilities", "patrol");
        using var stop = new CancellationTokenSource();
        var queue = Start(stop.Token, police, "observation", "watch", "--district", "trondelag", "--seconds", "60");
        var feedback = Start(stop.Token, control, "observation", "feedback", "--seconds", "60");
        try
        {
            var reported = await Coord(control, "observation", "report", "--id", "w-1", "--unit", "w1", "--at", "63.4300,10.3960", "--category", "crowd-build-up",
                "--text", "About 300 people gathering outside Nidaros Cathedral, growing.");
            Assert.Equal((0, ""), (reported.Code, reported.Error));
            var id = $"{company}/w-1";

            // Reported live or, had a stream not started yet, open when it did: either way one line with its sequence number.
            Assert.True(await Eventually.Holds(() => Task.FromResult(LineAbout(queue.Output, id, "New") is not null && LineAbout(feedback.Output, id, "New") is not null)),
                $"queue: {queue.Output}\nfeedback: {feedback.Output}\n{queue.Error}{feedback.Error}");

            var triaged = await Coord(police, "observation", "triage", id, "--stage", "seen", "--message", "Two patrols on the way.");
            Assert.Equal((0, ""), (triaged.Code, triaged.Error));
            Assert.True(await Eventually.Holds(() => Task.FromResult(LineAbout(feedback.Output, id, "Seen") is not null && LineAbout(queue.Output, id, "Seen") is not null)),
                $"queue: {queue.Output}\nfeedback: {feedback.Output}\n{queue.Error}{feedback.Error}");

            var change = LineAbout(feedback.Output, id, "Seen")!;
            Assert.Matches(@"^\s*\d+ Changed ", change);
            Assert.Matches(@" \| Seen by \S+: Two patrols on the way\.$", change);
            Assert.Matches(@"^\s*\d+ Changed ", LineAbout(queue.Output, id, "Seen")!);

            // From the sequence number before the change, the change again and nothing else; from its own, nothing.
            var sequence = long.Parse(change.TrimStart().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            var resumed = await Coord(control, "observation", "feedback", "--after", $"{sequence - 1}", "--seconds", "3");
            var caughtUp = await Coord(control, "observation", "feedback", "--after", $"{sequence}", "--seconds", "2");
            Assert.Equal((0, ""), (resumed.Code, resumed.Error));
            Assert.Equal(WithoutAge(change), WithoutAge(Assert.Single(resumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))));
            Assert.Equal((0, "", ""), (caughtUp.Code, caughtUp.Output, caughtUp.Error));
        }
        finally
        {
            await stop.CancelAsync();
        }

        // Stopped (Ctrl+C, kill): the normal end of a watch.
        Assert.Equal(0, await queue.Running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await feedback.Running.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("", queue.Error + feedback.Error);
    }

    /// <summary>A line as it is whenever printed: how long ago it was seen grows.</summary>
    private static string WithoutAge(string line) => System.Text.RegularExpressions.Regex.Replace(line, @", seen \S+ ago,", ", seen ago,");

    /// <summary>The line of a stream's output about an observation at a stage, if there is one yet.</summary>
    private static string? LineAbout(string output, string id, string stage) =>
        output.Split('\n').FirstOrDefault(l => l.Contains($" {id} {stage} ", StringComparison.Ordinal));

    /// <summary>A command that runs until stopped, with what it printed so far.</summary>
    private Streaming Start(CancellationToken stop, string token, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (toOutput, toError) = (TextWriter.Synchronized(output), TextWriter.Synchronized(error));
        var running = Commands.RunAsync(["--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}", "--token", token, .. args], toOutput, toError, stop);
        return new Streaming(running, () => Read(toOutput, output), () => Read(toError, error));
    }

    /// <summary>What a writer holds while the command may still write: a synchronized writer locks itself for each write.</summary>
    private static string Read(TextWriter synchronized, StringWriter inner)
    {
        lock (synchronized)
        {
            return inner.ToString();
        }
    }

    private sealed record Streaming(Task<int> Running, Func<string> ReadOutput, Func<string> ReadError)
    {
        public string Output => ReadOutput();

        public string Error => ReadError();
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
