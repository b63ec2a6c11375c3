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
    public async Task A_bad_argument_names_the_field_and_exits_with_one()
    {
        var control = await MintToken("--role", "company", "--company", Ids.Company("cli"));

        var result = await Coord(control, "register", "--unit", "m1", "--headcount", "0", "--district", "oslo", "--capabilities", "patrol");

        Assert.Equal(1, result.Code);
        Assert.Equal("InvalidArgument: units[0].headcount: must be at least 1 (was 0)", result.Error.Trim());
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
