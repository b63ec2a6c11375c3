using System.CommandLine;
using Grpc.Core;

namespace Coordination.Cli;

/// <summary>
/// What every command shares: where it writes, the options that reach the gateway (given before or
/// after the command), and one way to run an API call and turn its failure into a line and an exit code.
/// </summary>
internal sealed class Shell(TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public Option<string?> Address { get; } = new("--address")
    {
        Description = $"the gateway's gRPC address (default: COORD_ADDRESS, else {Connection.DefaultAddress})",
        HelpName = "URL",
        Recursive = true,
        Validators =
        {
            result =>
            {
                if (result.Tokens.Count > 0 && !Connection.IsAddress(result.Tokens[^1].Value))
                {
                    result.AddError($"--address: '{result.Tokens[^1].Value}' is not an address like {Connection.DefaultAddress}");
                }
            },
        },
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "the bearer token to send (default: COORD_TOKEN)",
        HelpName = "JWT",
        Recursive = true,
    };

    /// <summary>
    /// The command runs an API call: exit code 0 on success, 1 with the gRPC status on failure (or,
    /// when no server answered, the address tried), 2 when the arguments cannot make a request.
    /// </summary>
    public Command Calling(Command command, Func<ParseResult, Connection, CancellationToken, Task> call)
    {
        command.SetAction(async (parsed, stop) =>
        {
            var (connection, problem) = Connection.Open(parsed.GetValue(Address), parsed.GetValue(Token));
            if (connection is null)
            {
                await Error.WriteLineAsync(problem);
                return 2;
            }

            using (connection)
            {
                try
                {
                    await call(parsed, connection, stop);
                    return 0;
                }
                catch (RpcException e)
                {
                    await Error.WriteLineAsync(connection.Describe(e));
                    return 1;
                }
                catch (ArgumentException e)
                {
                    await Error.WriteLineAsync(e.Message);
                    return 2;
                }
            }
        });
        return command;
    }
}
