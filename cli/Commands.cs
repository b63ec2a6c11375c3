using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Coordination.Cli;

/// <summary>
/// coord [--address http://127.0.0.1:5080] [--token JWT] COMMAND [--option value]...
/// One command per API call, plain text out, exit code 0 on success, 1 with the gRPC status on
/// failure, and 2 when the command line is wrong (an unknown option, a malformed number, a missing
/// required option) — then nothing is sent. Times are printed in the machine's local time with its
/// UTC offset (16:31:26+02:00), as the web dashboard shows local time: a time without a zone was read
/// as local when it was UTC.
/// </summary>
public static class Commands
{
    private const string Description = """
        coord: a command-line client of the coordination API, one command per call.
        The address may also come from COORD_ADDRESS, the token from COORD_TOKEN; times are local with
        their UTC offset. Exit code 0 on success, 1 with the gRPC status when a call fails, 2 when the
        command line is wrong.
        """;

    /// <summary>
    /// Parsing as written: a value that starts with @ is a value, not a response file to read
    /// (a reason or a title may well start with one).
    /// </summary>
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    /// <summary>Whether the command runs until it is stopped, so Ctrl+C or SIGTERM should end it cleanly rather than kill it.</summary>
    public static bool RunsUntilStopped(string[] args)
    {
        var parsed = Root(new Shell(TextWriter.Null, TextWriter.Null)).Parse(args, Parsing);
        return parsed.Errors.Count == 0
            && ((parsed.CommandResult.Command.Name == "feed" && parsed.GetResult("--every") is not null)
                || BulletinCommands.IsWatch(parsed.CommandResult) || ObservationCommands.IsStream(parsed.CommandResult));
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stop = default)
    {
        var parsed = Root(new Shell(output, error)).Parse(args, Parsing);

        // --help wins over any error beside it: whoever asks for help gets it.
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem.Message);
            }

            await error.WriteLineAsync($"(see '{CommandLine(parsed.CommandResult)} --help')");
            return 2;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Failures the commands expect are caught where they happen and printed as one line; anything
            // else is a bug, and its stack trace is what is needed to find it.
            EnableDefaultExceptionHandler = false,
            // Program.cs decides what a signal does: a feed with --every, a bulletin watch or an observation stream stops cleanly, anything else ends.
            ProcessTerminationTimeout = null,
        }, stop);
    }

    /// <summary>Local time with its UTC offset: unambiguous, and what the web dashboard shows.</summary>
    public static string Time(DateTimeOffset at, string format = "HH:mm:sszzz") => at.ToLocalTime().ToString(format, CultureInfo.InvariantCulture);

    private static RootCommand Root(Shell shell)
    {
        var root = new RootCommand(Description) { HelpName = "coord" };
        root.Add(shell.Address);
        root.Add(shell.Token);
        root.Add(TokenCommand.Create(shell));
        root.Add(AuditCommand.Create(shell));
        root.Add(BulletinCommands.Create(shell));
        root.Add(ObservationCommands.Create(shell));
        foreach (var command in CompanyCommands.Create(shell).Concat(PoliceCommands.Create(shell)))
        {
            root.Add(command);
        }

        return root;
    }

    /// <summary>coord audit verify, for the hint after a parse error.</summary>
    private static string CommandLine(CommandResult command) =>
        command.Parent is CommandResult parent ? $"{CommandLine(parent)} {command.Command.Name}" : "coord";
}
