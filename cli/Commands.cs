using System.Globalization;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Coordination.Cli;

/// <summary>
/// coord [--address http://127.0.0.1:5080] COMMAND [--option value]...
/// One command per API call, plain text out, exit code 0 on success and 1 with the gRPC status on failure.
/// Times are printed in the machine's local time with its UTC offset (16:31:26+02:00), as the web
/// dashboard shows local time: a time without a zone was read as local when it was UTC.
/// </summary>
public static class Commands
{
    public const string Usage = """
        usage: coord [--address http://127.0.0.1:5080] [--token JWT] COMMAND [options]
               (the address may also come from COORD_ADDRESS, the token from COORD_TOKEN;
               times are local with their UTC offset)

          token     --role police|company|viewer|operator [--districts oslo,ost] [--national] [--company ID]
                    [--subject NAME] [--hours 12] [--key data/dev-signing-key.pem]
                    mints a token with the development key of a local system
                    (operator: the Orleans dashboard at /orleans on the HTTP port, nothing else)
          audit verify [--database data/coordination.db]     checks the audit log's hash chain
          audit verify --postgres "Host=...;Database=..."   ... of a cluster's PostgreSQL database
          audit export [--incident ID]                       the audit log (national police token)

          register  [--company ID] [--name NAME] --unit ID --headcount N --district ID --capabilities a,b [--lat X --lon Y]
          report    [--company ID] --unit ID [--status available|unavailable|en-route|on-scene|out-of-service] [--lat X --lon Y]
          feed      [--company ID] --status STATUS --units u1,u2,...     (one client-streaming call)
          feed      [--company ID] [--status STATUS] --units u1,u2,... --every 60s
                    the status once, then a heartbeat for each unit every interval until Ctrl+C or
                    kill (a unit without one for 5 minutes is stale: not counted as capacity)
          units     [--company ID]
          capacity  --district ID [--neighbours] | --national
          licence   --company ID --licence valid|suspended|revoked [--reason TEXT]
          agreement --company ID --priorities urgent,high,routine   (framework agreement; empty ends it)
          company   [--company ID]        one company: licence, agreements, units (national police, or the company's own token)
          companies [--page-size 100]     every company, all pages (national police)
          open      --district ID --request-id ID --title TEXT --lat X --lon Y [--priority urgent|high|routine] [--exercise]
          request   --incident ID --request-id ID --capability C --guards N --lat X --lon Y [--hours 6] [--partial] [--neighbours]
          incident  --incident ID                                   requests, offers, assignments and timeline
          offers    [--seconds 5]                                   the company's offers as they come
          answer    --offer ID (--commit u1,u2 | --decline REASON) [--answer-id ID]
          progress  --unit ID --progress en-route|on-scene|returned
          release   --incident ID [--units company/unit,...]
          close     --incident ID [--reason TEXT]
          districts
          capabilities
        """;

    /// <summary>Whether the command runs until it is stopped, so Ctrl+C or SIGTERM should end it cleanly rather than kill it.</summary>
    public static bool RunsUntilStopped(string[] args) => Options.Parse(args) is { Command: "feed" } options && options.Has("every");

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken stop = default)
    {
        var options = Options.Parse(args);
        if (options.Command is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (options.Command == "token")
        {
            try
            {
                return await MintAsync(options, output, error);
            }
            catch (Exception e) when (e is FileNotFoundException or ArgumentException)
            {
                await error.WriteLineAsync(e.Message);
                return 2;
            }
        }

        if (options.Command == "audit" && options.Argument == "verify")
        {
            return options.Get("postgres") is { } postgres
                ? await AuditVerify.RunOnPostgresAsync(postgres, output, error)
                : await AuditVerify.RunAsync(options.Get("database") ?? Path.Combine("data", "coordination.db"), output, error);
        }

        var token = options.Get("token") ?? Environment.GetEnvironmentVariable("COORD_TOKEN");
        using var channel = GrpcChannel.ForAddress(options.Get("address") ?? Environment.GetEnvironmentVariable("COORD_ADDRESS") ?? "http://127.0.0.1:5080");
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
                            await output.WriteLineAsync($"{entry.Sequence,6} {Time(entry.At, "yyyy-MM-ddTHH:mm:ss.fffzzz")} {entry.Role,-8} {entry.Subject,-20} {entry.Rpc} {entry.RequestId} {entry.IncidentId} {entry.Outcome} {entry.Hash[..12]}");
                        }
                    }

                    break;

                case "register":
                    var registration = new UnitRegistration
                    {
                        UnitId = options.Require("unit"),
                        Headcount = int.Parse(options.Require("headcount"), CultureInfo.InvariantCulture),
                        HomeDistrict = options.Require("district"),
                        Capabilities = { options.RequireList("capabilities") },
                        Position = options.Position(),
                    };
                    var registered = await company.RegisterUnitsAsync(new RegisterUnitsRequest
                    {
                        CompanyId = options.OwnCompany,
                        CompanyName = options.Get("name") ?? "",
                        Units = { registration },
                    });
                    await output.WriteLineAsync($"created {registered.Created}, updated {registered.Updated}");
                    break;

                case "report":
                    var ack = await company.ReportUnitAsync(new UnitReport
                    {
                        CompanyId = options.OwnCompany,
                        UnitId = options.Require("unit"),
                        Status = options.Get("status") is { } s ? ParseStatus(s) : UnitStatus.Unspecified,
                        Position = options.Position(),
                    });
                    await output.WriteLineAsync($"{Describe(ack.Unit)}{(ack.Durable ? "" : "  (heartbeat: flushed to disk within seconds)")}");
                    break;

                case "feed":
                    await FeedAsync(company, options, output, error, stop);
                    break;

                case "units":
                    var units = await company.ListUnitsAsync(new ListUnitsRequest { CompanyId = options.OwnCompany });
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

                case "agreement":
                    var agreement = await police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest
                    {
                        CompanyId = options.Require("company"),
                        Priorities = { options.List("priorities").Select(p => Enum.Parse<Priority>(p, ignoreCase: true)) },
                    });
                    await output.WriteLineAsync($"{agreement.CompanyId}: framework agreement for {string.Join(", ", agreement.FrameworkAgreements)}");
                    break;

                case "company":
                    await output.WriteLineAsync(DescribeCompany(await police.GetCompanyAsync(new GetCompanyRequest { CompanyId = options.Get("company") ?? "" })));
                    break;

                case "companies":
                    var page = new ListCompaniesRequest { PageSize = int.Parse(options.Get("page-size") ?? "100", CultureInfo.InvariantCulture) };
                    do
                    {
                        var companies = await police.ListCompaniesAsync(page);
                        foreach (var listed in companies.Companies)
                        {
                            await output.WriteLineAsync(DescribeCompany(listed));
                        }

                        page.PageToken = companies.NextPageToken;
                    }
                    while (page.PageToken.Length > 0);

                    break;

                case "open":
                    var opened = await police.OpenIncidentAsync(new OpenIncidentRequest
                    {
                        DistrictId = options.Require("district"),
                        RequestId = options.Require("request-id"),
                        Title = options.Require("title"),
                        Location = options.Position() ?? throw new ArgumentException("--lat and --lon are required"),
                        Priority = Enum.Parse<Priority>(options.Get("priority") ?? "high", ignoreCase: true),
                        Exercise = options.Has("exercise"),
                    });
                    await output.WriteLineAsync($"{opened.IncidentId} {opened.Status} {opened.Priority}{(opened.Exercise ? " EXERCISE" : "")}");
                    break;

                case "request":
                    var requested = await police.RequestCapacityAsync(new RequestCapacityRequest
                    {
                        IncidentId = options.Require("incident"),
                        RequestId = options.Require("request-id"),
                        Capability = options.Require("capability"),
                        Guards = int.Parse(options.Require("guards"), CultureInfo.InvariantCulture),
                        Location = options.Position() ?? throw new ArgumentException("--lat and --lon are required"),
                        Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                        DurationMinutes = (int)(double.Parse(options.Get("hours") ?? "6", CultureInfo.InvariantCulture) * 60),
                        AllowPartial = options.Has("partial"),
                        AllowNeighbours = options.Has("neighbours"),
                    });
                    await WriteRequest(output, requested);
                    break;

                case "incident":
                    var incident = await police.GetIncidentAsync(new GetIncidentRequest { IncidentId = options.Require("incident") });
                    await output.WriteLineAsync($"{incident.IncidentId} {incident.Status} {incident.Priority}{(incident.Exercise ? " EXERCISE" : "")}: {incident.Title}");
                    foreach (var r in incident.Requests)
                    {
                        await WriteRequest(output, r);
                    }

                    foreach (var e in incident.Timeline)
                    {
                        var details = string.Join(' ', new[] { e.RequestId, e.CompanyId, string.Join(",", e.UnitIds), e.Reason }.Where(d => d.Length > 0));
                        await output.WriteLineAsync($"  {e.Sequence,4} {Time(e.At)} {e.Kind,-13} {e.Actor,-32} {details}".TrimEnd());
                    }

                    break;

                case "offers":
                    using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(double.Parse(options.Get("seconds") ?? "5", CultureInfo.InvariantCulture))))
                    using (var watch = company.WatchOffers(new WatchOffersRequest { CompanyId = options.OwnCompany }, cancellationToken: timeout.Token))
                    {
                        try
                        {
                            await foreach (var e in watch.ResponseStream.ReadAllAsync(timeout.Token))
                            {
                                await output.WriteLineAsync($"{e.Kind,-12} {e.Offer.OfferId} {e.Offer.Status} {e.Offer.Guards} x {e.Offer.Capability} in {e.Offer.DistrictId}{(e.Offer.Exercise ? " EXERCISE" : "")}, answer by {Time(e.Offer.Deadline)}, suggested {string.Join(",", e.Offer.SuggestedUnitIds)}");
                            }
                        }
                        catch (Exception e) when (e is OperationCanceledException || (e is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
                        {
                        }
                    }

                    break;

                case "answer":
                    var answer = new AnswerOfferRequest
                    {
                        CompanyId = options.OwnCompany,
                        OfferId = options.Require("offer"),
                        AnswerId = options.Get("answer-id") ?? Guid.NewGuid().ToString("N"),
                    };
                    if (options.Get("decline") is { } reason)
                    {
                        answer.Decline = new Decline { Reason = reason };
                    }
                    else
                    {
                        answer.Commit = new CommitUnits { UnitIds = { options.RequireList("commit") } };
                    }

                    var answered = await company.AnswerOfferAsync(answer);
                    await output.WriteLineAsync($"{answered.OfferId} {answered.Status} {answered.CommittedGuards} guards");
                    break;

                case "progress":
                    var moved = await company.ReportAssignmentProgressAsync(new AssignmentProgressRequest
                    {
                        CompanyId = options.OwnCompany,
                        UnitId = options.Require("unit"),
                        Progress = Enum.Parse<AssignmentProgress>(options.Require("progress").Replace("-", "", StringComparison.Ordinal), ignoreCase: true),
                    });
                    await output.WriteLineAsync(Describe(moved.Unit));
                    break;

                case "release":
                    var releasing = new ReleaseUnitsRequest { IncidentId = options.Require("incident"), Reason = options.Get("reason") ?? "" };
                    foreach (var unit in options.List("units"))
                    {
                        var slash = unit.IndexOf('/');
                        releasing.Units.Add(new ReleaseUnitsRequest.Types.UnitRef { CompanyId = unit[..Math.Max(0, slash)], UnitId = unit[(slash + 1)..] });
                    }

                    var afterRelease = await police.ReleaseUnitsAsync(releasing);
                    foreach (var r in afterRelease.Requests)
                    {
                        await WriteRequest(output, r);
                    }

                    break;

                case "close":
                    var closed = await police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = options.Require("incident"), Reason = options.Get("reason") ?? "" });
                    await output.WriteLineAsync($"{closed.IncidentId} {closed.Status}");
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

    /// <summary>
    /// One client-streaming call with a report per unit. With --every it goes on: the status once,
    /// then a heartbeat per unit every interval until stopped, so the units never go stale. A
    /// heartbeat is a ReportUnit without status: it is refused for no unit state (a unit since
    /// committed to an incident keeps its heartbeat) and, changing nothing, is not a command for the
    /// audit log (a feed call is, whatever it carries). A heartbeat that fails (the silo restarting)
    /// is reported and tried again at the next interval; the status is sent until it gets through.
    /// </summary>
    private static async Task FeedAsync(CompanyService.CompanyServiceClient company, Options options, TextWriter output, TextWriter error, CancellationToken stop)
    {
        var units = options.RequireList("units");
        var status = options.Get("status") is { } s ? ParseStatus(s) : UnitStatus.Unspecified;
        if (options.Get("every") is not { } everyText)
        {
            if (status == UnitStatus.Unspecified)
            {
                throw new ArgumentException("--status is required (or --every to send heartbeats)");
            }

            await WriteSummary(output, await SendReports(company, options.OwnCompany, units, status, stop));
            return;
        }

        var every = ParseInterval(everyText);
        var statusSent = status == UnitStatus.Unspecified;
        var failing = false;
        while (!stop.IsCancellationRequested)
        {
            var failures = 0;
            if (!statusSent)
            {
                try
                {
                    await WriteSummary(output, await SendReports(company, options.OwnCompany, units, status, stop));
                    await output.WriteLineAsync($"heartbeats for {string.Join(",", units)} every {every.TotalSeconds:0.###} s until Ctrl+C or kill");
                    statusSent = true;
                }
                catch (RpcException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException e)
                {
                    await error.WriteLineAsync($"{Time(DateTimeOffset.UtcNow)} status not sent ({e.StatusCode}: {e.Status.Detail}); trying again in {every.TotalSeconds:0.###} s");
                    failures++;
                }
            }
            else
            {
                foreach (var unit in units)
                {
                    try
                    {
                        await company.ReportUnitAsync(new UnitReport { CompanyId = options.OwnCompany, UnitId = unit }, cancellationToken: stop);
                    }
                    catch (RpcException e) when (!stop.IsCancellationRequested)
                    {
                        await error.WriteLineAsync($"{Time(DateTimeOffset.UtcNow)} heartbeat for {unit} failed ({e.StatusCode}: {e.Status.Detail}); trying again in {every.TotalSeconds:0.###} s");
                        failures++;
                    }
                    catch (RpcException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }

            if (failing && failures == 0)
            {
                await error.WriteLineAsync($"{Time(DateTimeOffset.UtcNow)} heartbeats resumed");
            }

            failing = failures > 0;
            try
            {
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<UnitReportFeedSummary> SendReports(CompanyService.CompanyServiceClient company, string companyId, string[] units, UnitStatus status, CancellationToken stop)
    {
        using var call = company.StreamUnitReports(cancellationToken: stop);
        foreach (var unit in units)
        {
            await call.RequestStream.WriteAsync(new UnitReport { CompanyId = companyId, UnitId = unit, Status = status }, stop);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private static async Task WriteSummary(TextWriter output, UnitReportFeedSummary summary)
    {
        await output.WriteLineAsync($"received {summary.Received}, applied {summary.Applied}, rejected {summary.Rejected}");
        foreach (var rejection in summary.Rejections)
        {
            await output.WriteLineAsync($"  #{rejection.Index} {rejection.UnitId}: {rejection.Code} {rejection.Message}");
        }
    }

    /// <summary>60s, 1m, 500ms, or plain seconds.</summary>
    private static TimeSpan ParseInterval(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ArgumentException($"--every: '{text}' is not an interval (60s, 1m, 500ms)");
    }

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp at, string format = "HH:mm:sszzz") => Time(at.ToDateTimeOffset(), format);

    /// <summary>Local time with its UTC offset: unambiguous, and what the web dashboard shows.</summary>
    public static string Time(DateTimeOffset at, string format = "HH:mm:sszzz") => at.ToLocalTime().ToString(format, CultureInfo.InvariantCulture);

    private static Task<int> MintAsync(Options options, TextWriter output, TextWriter error)
    {
        var role = options.Require("role");
        if (role is not ("police" or "company" or "viewer" or "operator"))
        {
            throw new ArgumentException("--role must be police, company, viewer or operator");
        }

        using var signer = Coordination.Api.DevelopmentTokens.Load(options.Get("key") ?? Path.Combine("data", "dev-signing-key.pem"));
        var districts = options.List("districts").Concat(options.List("district")).ToArray();
        var company = options.Get("company");
        var subject = options.Get("subject") ?? company ?? (options.Has("national") ? "national" : string.Join("+", districts));
        var hours = double.Parse(options.Get("hours") ?? "12", CultureInfo.InvariantCulture);
        output.WriteLine(signer.Mint(subject, role, districts, options.Has("national"), company, TimeSpan.FromHours(hours)));
        return Task.FromResult(0);
    }

    private static async Task WriteRequest(TextWriter output, CapacityRequest r)
    {
        await output.WriteLineAsync($"request {r.RequestId}: {r.Status} {r.CommittedGuards}/{r.Guards} guards committed, {r.OfferedGuards} offered{(r.ReleasedGuards > 0 ? $", {r.ReleasedGuards} released" : "")} ({r.Capability})");
        foreach (var o in r.Offers)
        {
            await output.WriteLineAsync($"  offer {o.OfferId} to {o.CompanyId}: {o.Guards} guards, {o.Status}{(o.Automatic ? " (framework agreement)" : "")} {o.Reason}".TrimEnd());
        }

        foreach (var a in r.Assignments)
        {
            await output.WriteLineAsync($"  unit {a.CompanyId}/{a.UnitId}: {a.Guards} guards, {a.Status}");
        }
    }

    private static UnitStatus ParseStatus(string value) =>
        Enum.TryParse<UnitStatus>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var status) && status != UnitStatus.Unspecified
            ? status
            : throw new ArgumentException($"--status: '{value}' is not a unit status");

    private static string DescribeCompany(Company company) =>
        $"{company.CompanyId,-20} {company.Name,-24} licence {company.Licence}{(company.LicenceReason.Length > 0 ? $" ({company.LicenceReason})" : "")}"
        + $", framework agreement {(company.FrameworkAgreements.Count > 0 ? string.Join(",", company.FrameworkAgreements) : "none")}"
        + $", {company.Units} units ({string.Join(", ", company.UnitsByDistrict.Select(d => $"{d.DistrictId} {d.Units}"))})"
        + $", {company.OutstandingOffers} offers waiting";

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

        /// <summary>A comma-separated list (empty when the option is absent).</summary>
        public string[] List(string name) => (Get(name) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public string[] RequireList(string name) => Require(name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        /// <summary>The company a company command acts for: empty means the one in the token.</summary>
        public string OwnCompany => Get("company") ?? "";

        public GeoPoint? Position() => Get("lat") is { } lat && Get("lon") is { } lon
            ? new GeoPoint { Latitude = double.Parse(lat, CultureInfo.InvariantCulture), Longitude = double.Parse(lon, CultureInfo.InvariantCulture) }
            : null;
    }
}
