using Coordination.Cli;

namespace Coordination.Tests;

/// <summary>
/// What coord does with a command line before (or instead of) any call: help, and the errors of the
/// command line itself. No node is needed, except an address where none listens.
/// </summary>
public sealed class CliCommandLineTests
{
    [Fact]
    public async Task Help_on_the_root_exits_with_zero_and_lists_the_commands_and_the_connection_options()
    {
        var result = await Coord("--help");

        Assert.Equal(0, result.Code);
        Assert.Equal("", result.Error);
        Assert.All(new[] { "token", "audit", "bulletin", "register", "feed", "capacity", "open", "request", "answer", "--address", "--token" },
            word => Assert.Contains(word, result.Output));
    }

    [Fact]
    public async Task Help_on_a_command_exits_with_zero_and_lists_its_options()
    {
        var result = await Coord("request", "--help");

        Assert.Equal(0, result.Code);
        Assert.Equal("", result.Error);
        Assert.All(new[] { "--incident", "--request-id", "--capability", "--guards", "--lat", "--lon", "--hours", "--partial", "--neighbours", "--address" },
            option => Assert.Contains(option, result.Output));
    }

    [Fact]
    public async Task Help_on_a_subcommand_of_a_command_exits_with_zero_and_lists_its_options()
    {
        var result = await Coord("audit", "verify", "--help");

        Assert.Equal(0, result.Code);
        Assert.Contains("--database", result.Output);
        Assert.Contains("--postgres", result.Output);
    }

    [Fact]
    public async Task An_unknown_option_exits_with_two_and_names_it()
    {
        var result = await Coord("capacity", "--district", "oslo", "--neighbors");

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        Assert.Contains("'--neighbors'", result.Error);
        Assert.DoesNotContain(" at ", result.Error);
    }

    [Fact]
    public async Task An_unknown_command_exits_with_two_and_names_it()
    {
        var result = await Coord("regster", "--unit", "a");

        Assert.Equal(2, result.Code);
        Assert.Contains("'regster'", result.Error);
    }

    [Theory]
    [InlineData("--guards", "two")]
    [InlineData("--lat", "x")]
    [InlineData("--hours", "six")]
    public async Task A_malformed_number_exits_with_two_and_names_the_option(string option, string value)
    {
        string[] request = ["request", "--incident", "oslo.i", "--request-id", "r", "--capability", "patrol", "--guards", "2", "--lat", "59.9", "--lon", "10.7"];
        var index = Array.IndexOf(request, option);
        string[] args = index >= 0 ? [.. request[..(index + 1)], value, .. request[(index + 2)..]] : [.. request, option, value];

        var result = await Coord(args);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        Assert.StartsWith($"{option}: '{value}' is not", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Fact]
    public async Task A_missing_required_option_exits_with_two_and_names_it()
    {
        var result = await Coord("register", "--unit", "a", "--district", "oslo", "--capabilities", "patrol");

        Assert.Equal(2, result.Code);
        Assert.Contains("--headcount", result.Error);
    }

    [Fact]
    public async Task A_word_that_is_not_one_of_the_choices_exits_with_two_and_lists_them()
    {
        var result = await Coord("report", "--unit", "a", "--status", "asleep");

        Assert.Equal(2, result.Code);
        Assert.StartsWith("--status: 'asleep' is not one of available|unavailable|en-route|on-scene|out-of-service", result.Error);
    }

    [Fact]
    public async Task Negative_coordinates_and_values_starting_with_at_are_values()
    {
        // West of Greenwich, and a name like @home: neither is an option nor a response file. The
        // address has no server, so the command gets as far as the call.
        var result = await Coord("--address", $"http://127.0.0.1:{Ports.Free()}", "register", "--name", "@home", "--unit", "a", "--headcount", "2",
            "--district", "oslo", "--capabilities", "patrol", "--lat", "51.5", "--lon", "-0.12");

        Assert.Equal(1, result.Code);
        Assert.StartsWith("Unavailable:", result.Error);
    }

    [Fact]
    public async Task An_unreachable_address_is_named_in_the_error_without_a_stack_trace()
    {
        var address = $"http://127.0.0.1:{Ports.Free()}";

        var result = await Coord("--address", address, "capacity", "--national");

        Assert.Equal(1, result.Code);
        Assert.Equal("", result.Output);
        Assert.StartsWith($"Unavailable: no connection to {address} (from --address):", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task An_address_that_is_not_one_exits_with_two_and_names_it()
    {
        var result = await Coord("--address", "127.0.0.1:5080", "districts");

        Assert.Equal(2, result.Code);
        Assert.StartsWith("--address: '127.0.0.1:5080' is not an address", result.Error);
    }

    [Fact]
    public async Task Without_a_command_it_exits_with_two()
    {
        var result = await Coord();

        Assert.Equal(2, result.Code);
        Assert.Contains("coord --help", result.Error);
    }

    [Fact]
    public void Of_the_unit_commands_only_feed_with_every_runs_until_stopped()
    {
        Assert.True(Commands.RunsUntilStopped(["--token", "t", "feed", "--units", "a", "--every", "60s"]));
        Assert.False(Commands.RunsUntilStopped(["feed", "--status", "available", "--units", "a"]));
        Assert.False(Commands.RunsUntilStopped(["report", "--unit", "a"]));
        Assert.False(Commands.RunsUntilStopped(["feed", "--units", "a", "--every", "soon"]));
    }

    [Fact]
    public void A_bulletin_watch_runs_until_stopped()
    {
        Assert.True(Commands.RunsUntilStopped(["bulletin", "watch", "--after", "12"]));
        Assert.False(Commands.RunsUntilStopped(["bulletin", "watch", "--after", "x"]));
        Assert.False(Commands.RunsUntilStopped(["bulletin", "list"]));
    }

    [Fact]
    public async Task Help_on_bulletin_issue_lists_its_content_area_and_audience_options()
    {
        var result = await Coord("bulletin", "issue", "--help");

        Assert.Equal(0, result.Code);
        Assert.All(new[] { "--district", "--id", "--kind", "--headline", "--description", "--instruction", "--tlp", "--urgency", "--severity", "--certainty",
            "--status", "--districts", "--circle", "--polygon", "--companies", "--capability", "--on-duty-only", "--expires", "--ack-by", "--incident" },
            option => Assert.Contains(option, result.Output));
        Assert.Contains("[default: 24h]", result.Output);
    }

    [Theory]
    [InlineData("--tlp", "purple", "--tlp: 'purple' is not one of clear|green|amber|amber-strict|red")]
    [InlineData("--urgency", "now", "--urgency: 'now' is not one of immediate|expected|future|past|unknown")]
    [InlineData("--severity", "bad", "--severity: 'bad' is not one of extreme|severe|moderate|minor|unknown")]
    [InlineData("--certainty", "sure", "--certainty: 'sure' is not one of observed|likely|possible|unlikely|unknown")]
    [InlineData("--status", "drill", "--status: 'drill' is not one of actual|exercise|test")]
    [InlineData("--circle", "59.9,10.7", "--circle: '59.9,10.7' is not LAT,LON,RADIUS_KM")]
    [InlineData("--circle", "59.9,10.7,two", "--circle: '59.9,10.7,two' is not LAT,LON,RADIUS_KM")]
    [InlineData("--polygon", "59.9,10.7 59.9", "--polygon: '59.9' is not a point LAT,LON")]
    [InlineData("--polygon", " ", "--polygon: no points")]
    [InlineData("--expires", "soon", "--expires: 'soon' is neither a duration (90m, 6h, 2d) nor a time")]
    [InlineData("--expires", "-6h", "--expires: '-6h' is neither a duration")]
    [InlineData("--ack-by", "2026-05-17", "--ack-by: '2026-05-17' is neither a duration")]
    public async Task A_malformed_bulletin_option_exits_with_two_and_names_the_option(string option, string value, string expected)
    {
        string[] issue = ["bulletin", "issue", "--district", "oslo", "--id", "b1", "--kind", "area-warning", "--headline", "h", "--tlp", "amber"];
        string[] area = option is "--circle" or "--polygon" ? [] : ["--circle", "59.91,10.75,2"];
        var index = Array.IndexOf(issue, option);
        string[] args = index >= 0 ? [.. issue[..(index + 1)], value, .. issue[(index + 2)..], .. area] : [.. issue, .. area, option, value];

        var result = await Coord(args);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        Assert.StartsWith(expected, result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }

    [Theory]
    [InlineData("--district")]
    [InlineData("--id")]
    [InlineData("--kind")]
    [InlineData("--headline")]
    [InlineData("--tlp")]
    public async Task A_bulletin_without_a_required_option_exits_with_two_and_names_it(string missing)
    {
        string[] issue = ["bulletin", "issue", "--district", "oslo", "--id", "b1", "--kind", "area-warning", "--headline", "h", "--tlp", "amber", "--districts", "oslo"];
        var index = Array.IndexOf(issue, missing);

        var result = await Coord([.. issue[..index], .. issue[(index + 2)..]]);

        Assert.Equal(2, result.Code);
        Assert.Contains($"'{missing}' is required", result.Error);
    }

    [Theory]
    [InlineData(new string[0], "--districts, --circle or --polygon is required")]
    [InlineData(new[] { "--districts", "oslo", "--circle", "59.91,10.75,2" }, "only one of --districts, --circle and --polygon")]
    [InlineData(new[] { "--districts", "oslo", "--companies", "a", "--capability", "patrol" }, "only one of --companies, --capability and --all-in-area")]
    public async Task A_bulletin_has_exactly_one_area_and_at_most_one_audience(string[] given, string expected)
    {
        var result = await Coord(["bulletin", "issue", "--district", "oslo", "--id", "b1", "--kind", "area-warning", "--headline", "h", "--tlp", "amber", .. given]);

        Assert.Equal(2, result.Code);
        Assert.StartsWith(expected, result.Error);
    }

    [Theory]
    [InlineData(new[] { "bulletin", "cancel", "--id", "c1", "--references", "b1" }, "--references: 'b1' is not a bulletin id (<district>.<id>)")]
    [InlineData(new[] { "bulletin", "update", "--id", "u1", "--references", "oslo.b1", "--polygon", "59,10 60,11 59,11", "--circle", "59,10,1" }, "only one of --districts, --circle and --polygon")]
    [InlineData(new[] { "bulletin", "ack", "oslo.b1" }, "--received, --relayed or --cannot-act is required")]
    [InlineData(new[] { "bulletin", "ack", "oslo.b1", "--received", "--cannot-act", "no units" }, "only one of --received, --relayed and --cannot-act")]
    [InlineData(new[] { "bulletin", "ack", "oslo.b1", "--relayed", "some" }, "--relayed: 'some' is not a whole number")]
    [InlineData(new[] { "bulletin", "list", "--ended" }, "--ended needs --district")]
    [InlineData(new[] { "bulletin", "list", "--district", "oslo", "--company", "a" }, "--company is for a company's own list")]
    [InlineData(new[] { "bulletin", "watch", "--after", "-1" }, "--after: '-1' is not a sequence number (0 or more)")]
    [InlineData(new[] { "bulletin", "show" }, "Required argument 'id' missing")]
    public async Task A_wrong_bulletin_follow_up_list_ack_or_watch_exits_with_two_and_says_why(string[] args, string expected)
    {
        var result = await Coord(args);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        Assert.StartsWith(expected, result.Error);
    }

    [Theory]
    [InlineData("--expires", "90m")]
    [InlineData("--expires", "1.5d")]
    [InlineData("--expires", "2099-05-17T18:00")]
    [InlineData("--expires", "2099-05-17T18:00+02:00")]
    [InlineData("--ack-by", "18:00")]
    public async Task Durations_and_times_are_both_moments(string option, string value)
    {
        // No server listens, so a command line that parses gets as far as the call.
        var result = await Coord("--address", $"http://127.0.0.1:{Ports.Free()}", "bulletin", "issue", "--district", "oslo", "--id", "b1",
            "--kind", "area-warning", "--headline", "h", "--tlp", "amber-strict", "--polygon", "59.9,10.7 59.95,10.7 59.95,10.8", option, value);

        Assert.Equal(1, result.Code);
        Assert.StartsWith("Unavailable:", result.Error);
    }

    [Fact]
    public void Observation_watch_and_feedback_run_until_stopped()
    {
        Assert.True(Commands.RunsUntilStopped(["observation", "watch", "--district", "oslo", "--after", "3"]));
        Assert.True(Commands.RunsUntilStopped(["observation", "feedback"]));
        Assert.False(Commands.RunsUntilStopped(["observation", "watch"]));
        Assert.False(Commands.RunsUntilStopped(["observation", "list", "--district", "oslo"]));
    }

    [Fact]
    public async Task Help_on_observation_report_lists_its_options()
    {
        var result = await Coord("observation", "report", "--help");

        Assert.Equal(0, result.Code);
        Assert.All(new[] { "--company", "--unit", "--at", "--category", "--text", "--seen", "--urgent", "--bulletin", "--incident", "--photo", "--id", "112" },
            option => Assert.Contains(option, result.Output));
    }

    [Theory]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t", "--at", "59.91" }, "--at: '59.91' is not LAT,LON (two numbers, such as 59.911,10.753)")]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t", "--at", "59.91,10.75,3" }, "--at: '59.91,10.75,3' is not LAT,LON")]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t", "--at", "north,10.75" }, "--at: 'north,10.75' is not LAT,LON")]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t" }, "Option '--at' is required")]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t", "--at", "59.91,10.75", "--seen", "recently" }, "--seen: 'recently' is neither a duration")]
    [InlineData(new[] { "report", "--unit", "u1", "--category", "other", "--text", "t", "--at", "59.91,10.75", "--photo", "a", "--photo", "b", "--photo", "c", "--photo", "d", "--photo", "e" }, "--photo: 5 photos; the limit is 4")]
    [InlineData(new[] { "triage", "acme/o1", "--stage", "later" }, "--stage: 'later' is not one of seen|actioned|dismissed")]
    [InlineData(new[] { "triage", "acme/o1", "--stage", "new" }, "--stage: 'new' is not one of seen|actioned|dismissed")]
    [InlineData(new[] { "triage", "o1", "--stage", "seen" }, "'o1' is not an observation id (<company>/<id>)")]
    [InlineData(new[] { "attach", "acme/o1" }, "--incident or --open is required")]
    [InlineData(new[] { "attach", "acme/o1", "--incident", "oslo.i1", "--open", "r1", "--title", "t" }, "only one of --incident and --open")]
    [InlineData(new[] { "attach", "acme/o1", "--open", "r1" }, "--open needs --title")]
    [InlineData(new[] { "attach", "acme/o1", "--incident", "oslo.i1", "--priority", "urgent" }, "--title and --priority are for --open")]
    [InlineData(new[] { "attach", "acme/o1", "--open", "r1", "--title", "t", "--priority", "soon" }, "--priority: 'soon' is not one of urgent|high|routine")]
    [InlineData(new[] { "photo", "acme/o1" }, "Option '--out' is required")]
    [InlineData(new[] { "photo", "acme/o1", "--out", "p.jpg", "--index", "first" }, "--index: 'first' is not a whole number")]
    [InlineData(new[] { "list" }, "Option '--district' is required")]
    [InlineData(new[] { "watch", "--district", "oslo", "--after", "-1" }, "--after: '-1' is not a sequence number (0 or more)")]
    [InlineData(new[] { "feedback", "--after", "last" }, "--after: 'last' is not a sequence number (0 or more)")]
    public async Task A_wrong_observation_command_line_exits_with_two_and_says_why(string[] args, string expected)
    {
        // A server that would answer, were anything sent, is not needed: nothing is.
        var result = await Coord(["--address", $"http://127.0.0.1:{Ports.Free()}", "observation", .. args]);

        Assert.Equal(2, result.Code);
        Assert.Equal("", result.Output);
        Assert.StartsWith(expected, result.Error);
    }

    [Fact]
    public async Task A_photo_that_cannot_be_read_or_is_too_big_exits_with_two_before_anything_is_sent()
    {
        using var folder = new TempDirectory();
        var big = Path.Combine(folder.Path, "big.jpg");
        await File.WriteAllBytesAsync(big, new byte[Coordination.Domain.ObservationRules.MaxPhotoBytes + 1]);
        string[] report = ["--address", $"http://127.0.0.1:{Ports.Free()}", "observation", "report", "--id", "o1", "--unit", "u1", "--at", "59.91,10.75", "--category", "other", "--text", "t"];

        var missing = await Coord([.. report, "--photo", Path.Combine(folder.Path, "missing.jpg")]);
        var tooBig = await Coord([.. report, "--photo", big]);
        var sent = await Coord(report);

        // Had they been sent, no server would have answered: Unavailable, exit code 1, as for the report without a photo.
        Assert.Equal((2, ""), (missing.Code, missing.Output));
        Assert.StartsWith("--photo: ", missing.Error);
        Assert.Contains("missing.jpg", missing.Error);
        Assert.Equal((2, ""), (tooBig.Code, tooBig.Output));
        Assert.StartsWith($"--photo: {big} is {Coordination.Domain.ObservationRules.MaxPhotoBytes + 1} bytes; the limit is", tooBig.Error);
        Assert.Equal(1, sent.Code);
        Assert.StartsWith("Unavailable:", sent.Error);
    }

    private static async Task<(int Code, string Output, string Error)> Coord(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Commands.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString().ReplaceLineEndings("\n"));
    }
}
