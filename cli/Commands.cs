using System.Globalization;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Coordination.Cli;

/// <summary>
/// coord [--address http://127.0.0.1:5080] COMMAND [--option value]...
/// One command per API call, plain text out, exit code 0 on success and 1 with the gRPC status on failure.
/// </summary>
public static class Commands
{
    public const string Usage = """
        usage: coord [--address http://127.0.0.1:5080] [--token JWT] COMMAND [options]
               (the token may also come from the COORD_TOKEN environment variable)

          token     --role police|company|viewer [--districts oslo,ost] [--national] [--company ID]
                    [--subject NAME] [--hours 12] [--key data/dev-signing-key.pem]
                    mints a token with the development key of a local system
          audit verify [--database data/coordination.db]     checks the audit log's hash chain
          audit export [--incident ID]                       the audit log (national police token)

          register  [--company ID] [--name NAME] --unit ID --headcount N --district ID --capabilities a,b [--lat X --lon Y]
          report    [--company ID] --unit ID [--status available|unavailable|en-route|on-scene|out-of-service] [--lat X --lon Y]
          feed      [--company ID] --status STATUS --units u1,u2,...     (one client-streaming call)
          units     [--company ID]
          capacity  --district ID [--neighbours] | --national
          licence   --company ID --licence valid|suspended|revoked [--reason TEXT]
          districts
          capabilities
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Options.Parse(args);
        if (options.Command is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (options.Command == "token")
        {
            return await MintAsync(options, output, error);
        }

        if (options.Command == "audit" && options.Argument == "verify")
        {
            return await AuditVerify.RunAsync(options.Get("database") ?? Path.Combine("data", "coordination.db"), output, error);
        }

        var token = options.Get("token") ?? Environment.GetEnvironmentVariable("COORD_TOKEN");
        using var channel = GrpcChannel.ForAddress(options.Get("address") ?? "http://127.0.0.1:5080");
        var invoker = token is null ? channel.CreateCallInvoker() : channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
        var company = new CompanyService.CompanyServiceClient(invoker);
        var police = new PoliceService.PoliceServiceClient(invoker);
        try
        {
            switch (options.Command)
            {
                case "audit" when options.Argument == "export":
                    using (var export = police.ExportAudit(new ExportAuditRequest { IncidentId = options.Get("incident") ?? "" }))
                    {
                        await foreach (var entry in export.ResponseStream.ReadAllAsync())
                        {
                            await output.WriteLineAsync($"{entry.Sequence,6} {entry.At.ToDateTimeOffset():O} {entry.Role,-8} {entry.Subject,-20} {entry.Rpc} {entry.RequestId} {entry.IncidentId} {entry.Outcome} {entry.Hash[..12]}");
                        }
                    }

                    break;

                case "register":
                    var registration = new UnitRegistration
                    {
                        UnitId = options.Require("unit"),
                        Headcount = int.Parse(options.Require("headcount"), CultureInfo.InvariantCulture),
                        HomeDistrict = options.Require("district"),
                        Capabilities = { options.Require("capabilities").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                        Position = options.Position(),
                    };
                    var registered = await company.RegisterUnitsAsync(new RegisterUnitsRequest
                    {
                        CompanyId = options.Get("company") ?? "",
                        CompanyName = options.Get("name") ?? "",
                        Units = { registration },
                    });
                    await output.WriteLineAsync($"created {registered.Created}, updated {registered.Updated}");
                    break;

                case "report":
                    var ack = await company.ReportUnitAsync(new UnitReport
                    {
                        CompanyId = options.Get("company") ?? "",
                        UnitId = options.Require("unit"),
                        Status = options.Get("status") is { } s ? ParseStatus(s) : UnitStatus.Unspecified,
                        Position = options.Position(),
                    });
                    await output.WriteLineAsync($"{Describe(ack.Unit)}{(ack.Durable ? "" : "  (heartbeat: flushed to disk within seconds)")}");
                    break;

                case "feed":
                    using (var call = company.StreamUnitReports())
                    {
                        var status = ParseStatus(options.Require("status"));
                        foreach (var unit in options.Require("units").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        {
                            await call.RequestStream.WriteAsync(new UnitReport { CompanyId = options.Get("company") ?? "", UnitId = unit, Status = status });
                        }

                        await call.RequestStream.CompleteAsync();
                        var summary = await call;
                        await output.WriteLineAsync($"received {summary.Received}, applied {summary.Applied}, rejected {summary.Rejected}");
                        foreach (var rejection in summary.Rejections)
                        {
                            await output.WriteLineAsync($"  #{rejection.Index} {rejection.UnitId}: {rejection.Code} {rejection.Message}");
                        }
                    }

                    break;

                case "units":
                    var units = await company.ListUnitsAsync(new ListUnitsRequest { CompanyId = options.Get("company") ?? "" });
                    foreach (var unit in units.Units)
                    {
                        await output.WriteLineAsync(Describe(unit));
                    }

                    break;

                case "capacity":
                    var request = options.Has("national")
                        ? new GetCapacityRequest { Scope = CapacityScope.National }
                        : new GetCapacityRequest
                        {
                            Scope = options.Has("neighbours") ? CapacityScope.DistrictAndNeighbours : CapacityScope.District,
                            DistrictId = options.Require("district"),
                        };
                    var report = await police.GetCapacityAsync(request);
                    await output.WriteLineAsync($"{string.Join(", ", report.Districts)}: {report.AvailableUnits} units / {report.AvailableGuards} guards available of {report.RegisteredUnits} registered ({report.StaleUnits} stale)");
                    foreach (var line in report.ByCapability)
                    {
                        await output.WriteLineAsync($"  {line.Capability,-18} {line.AvailableUnits,5} units {line.AvailableGuards,6} guards");
                    }

                    break;

                case "licence":
                    var licence = await police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest
                    {
                        CompanyId = options.Require("company"),
                        Licence = Enum.Parse<LicenceStatus>(options.Require("licence"), ignoreCase: true),
                        Reason = options.Get("reason") ?? "",
                    });
                    await output.WriteLineAsync($"{licence.CompanyId}: licence {licence.Licence}, {licence.Units} units");
                    break;

                case "districts":
                    foreach (var district in (await police.ListDistrictsAsync(new ListDistrictsRequest())).Districts)
                    {
                        await output.WriteLineAsync($"{district.Id,-16} {district.Name,-16} reserve {district.ProtectedReserveGuards,3}  neighbours {string.Join(",", district.Neighbours)}");
                    }

                    break;

                case "capabilities":
                    var catalogue = await police.ListCapabilitiesAsync(new ListCapabilitiesRequest());
                    foreach (var capability in catalogue.Capabilities)
                    {
                        await output.WriteLineAsync($"{capability.Id,-18} {capability.Name}");
                    }

                    foreach (var forbidden in catalogue.ForbiddenTasks)
                    {
                        await output.WriteLineAsync($"not lawful: {forbidden.Id,-20} {forbidden.Reason}");
                    }

                    break;

                default:
                    await error.WriteLineAsync($"unknown command '{options.Command}'\n{Usage}");
                    return 2;
            }

            return 0;
        }
        catch (RpcException e)
        {
            await error.WriteLineAsync($"{e.StatusCode}: {e.Status.Detail}");
            return 1;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }
    }

    private static Task<int> MintAsync(Options options, TextWriter output, TextWriter error)
    {
        var role = options.Require("role");
        if (role is not ("police" or "company" or "viewer"))
        {
            throw new ArgumentException("--role must be police, company or viewer");
        }

        using var signer = Coordination.Api.DevelopmentTokens.Load(options.Get("key") ?? Path.Combine("data", "dev-signing-key.pem"));
        var districts = (options.Get("districts") ?? options.Get("district") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var company = options.Get("company");
        var subject = options.Get("subject") ?? company ?? (options.Has("national") ? "national" : string.Join("+", districts));
        var hours = double.Parse(options.Get("hours") ?? "12", CultureInfo.InvariantCulture);
        output.WriteLine(signer.Mint(subject, role, districts, options.Has("national"), company, TimeSpan.FromHours(hours)));
        return Task.FromResult(0);
    }

    private static UnitStatus ParseStatus(string value) =>
        Enum.TryParse<UnitStatus>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var status) && status != UnitStatus.Unspecified
            ? status
            : throw new ArgumentException($"--status: '{value}' is not a unit status");

    private static string Describe(Unit unit) =>
        $"{unit.UnitId,-12} {unit.Status,-13} {unit.Headcount,3} guards  {unit.HomeDistrict,-16} {string.Join(",", unit.Capabilities)}"
        + (unit.Stale ? "  STALE" : "")
        + (unit.CountedAvailable ? "  counted" : "");

    private sealed class Options
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

        public string? Command { get; private set; }

        /// <summary>The word after the command (audit verify, audit export).</summary>
        public string? Argument { get; private set; }

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    var name = args[i][2..];
                    var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                    options._values[name] = value;
                }
                else if (options.Command is null)
                {
                    options.Command = args[i];
                }
                else
                {
                    options.Argument ??= args[i];
                }
            }

            return options;
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public string? Get(string name) => _values.GetValueOrDefault(name);

        public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

        public GeoPoint? Position() => Get("lat") is { } lat && Get("lon") is { } lon
            ? new GeoPoint { Latitude = double.Parse(lat, CultureInfo.InvariantCulture), Longitude = double.Parse(lon, CultureInfo.InvariantCulture) }
            : null;
    }
}
