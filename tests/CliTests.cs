using Coordination.Cli;

namespace Coordination.Tests;

/// <summary>The README's worked example, run through the coord client against the running node.</summary>
[Collection(NodeCollection.Name)]
public sealed class CliTests(NodeFixture fixture)
{
    private async Task<(int Code, string Output, string Error)> Coord(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Commands.RunAsync(["--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Register_report_and_read_capacity_from_the_command_line()
    {
        var company = Ids.Company("cli");
        var before = await Coord("capacity", "--district", "more-og-romsdal");

        var registered = await Coord("register", "--company", company, "--unit", "m1", "--headcount", "4", "--district", "more-og-romsdal", "--capabilities", "event-guidance,first-aid");
        var reported = await Coord("report", "--company", company, "--unit", "m1", "--status", "available");
        var after = await Coord("capacity", "--district", "more-og-romsdal");
        var refused = await Coord("report", "--company", company, "--unit", "m1", "--status", "on-scene");

        Assert.Equal((0, "created 1, updated 0"), (registered.Code, registered.Output.Trim()));
        Assert.Equal(0, reported.Code);
        Assert.Contains("Available", reported.Output);
        Assert.Contains("counted", reported.Output);
        Assert.Equal(GuardsFor(before.Output, "event-guidance") + 4, GuardsFor(after.Output, "event-guidance"));
        Assert.Equal(1, refused.Code);
        Assert.StartsWith("FailedPrecondition:", refused.Error);
    }

    [Fact]
    public async Task A_bad_argument_names_the_field_and_exits_with_one()
    {
        var result = await Coord("register", "--company", Ids.Company("cli"), "--unit", "m1", "--headcount", "0", "--district", "oslo", "--capabilities", "patrol");

        Assert.Equal(1, result.Code);
        Assert.Equal("InvalidArgument: units[0].headcount: must be at least 1 (was 0)", result.Error.Trim());
    }

    private static int GuardsFor(string capacityOutput, string capability)
    {
        var line = capacityOutput.Split('\n').Single(l => l.TrimStart().StartsWith(capability + " ", StringComparison.Ordinal));
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(parts[^2], System.Globalization.CultureInfo.InvariantCulture);
    }
}
