using System.CommandLine;

namespace Coordination.Cli;

/// <summary>
/// coord token: mints a token with the development key of a local system, the documented way to get
/// one for trying the API. No call is made, so --address and --token play no part.
/// </summary>
internal static class TokenCommand
{
    public static Command Create(Shell shell)
    {
        var role = Opt.Text("--role", "police, company, viewer, or operator (the Orleans dashboard at /orleans on the HTTP port, nothing else)",
            "police|company|viewer|operator", required: true);
        role.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value is not ("police" or "company" or "viewer" or "operator"))
            {
                result.AddError("--role must be police, company, viewer or operator");
            }
        });
        var districts = Opt.List("--districts", "the police districts the token acts for", "oslo,ost", aliases: "--district");
        var national = Opt.Flag("--national", "national scope (the directorate)");
        var company = Opt.Text("--company", "the company the token acts for", "ID");
        var subject = Opt.Text("--subject", "the caller's name (default: the company, national, or the districts)", "NAME");
        var hours = Opt.Number("--hours", "how long the token is valid", byDefault: 12, helpName: "H");
        var key = Opt.Text("--key", "the development signing key", "FILE");
        key.DefaultValueFactory = _ => Path.Combine("data", "dev-signing-key.pem");
        var command = new Command("token", "mints a token with the development key of a local system")
        {
            role, districts, national, company, subject, hours, key,
        };
        command.SetAction(async parsed =>
        {
            try
            {
                using var signer = Coordination.Api.DevelopmentTokens.Load(parsed.GetValue(key)!);
                var inDistricts = parsed.GetValue(districts)!;
                var forCompany = parsed.GetValue(company);
                var isNational = parsed.GetValue(national);
                var name = parsed.GetValue(subject) ?? forCompany ?? (isNational ? "national" : string.Join("+", inDistricts));
                var lifetime = TimeSpan.FromHours(parsed.GetValue(hours) ?? 12);
                await shell.Output.WriteLineAsync(signer.Mint(name, parsed.GetRequiredValue(role)!, inDistricts, isNational, forCompany, lifetime));
                return 0;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                await shell.Error.WriteLineAsync(e.Message);
                return 2;
            }
        });
        return command;
    }
}
