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
        Assert.All(new[] { "token", "audit", "register", "feed", "capacity", "open", "request", "answer", "--address", "--token" },
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
    public void Only_feed_with_every_runs_until_stopped()
    {
        Assert.True(Commands.RunsUntilStopped(["--token", "t", "feed", "--units", "a", "--every", "60s"]));
        Assert.False(Commands.RunsUntilStopped(["feed", "--status", "available", "--units", "a"]));
        Assert.False(Commands.RunsUntilStopped(["report", "--unit", "a"]));
        Assert.False(Commands.RunsUntilStopped(["feed", "--units", "a", "--every", "soon"]));
    }

    private static async Task<(int Code, string Output, string Error)> Coord(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Commands.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString().ReplaceLineEndings("\n"));
    }
}
