using System.CommandLine;
using Coordination.Api.V1;
using Grpc.Core;

namespace Coordination.Cli;

/// <summary>The calls a company's control-room system makes (CompanyService).</summary>
internal static class CompanyCommands
{
    public static IEnumerable<Command> Create(Shell shell)
    {
        yield return Register(shell);
        yield return Report(shell);
        yield return Feed(shell);
        yield return Units(shell);
        yield return Offers(shell);
        yield return Answer(shell);
        yield return Progress(shell);
    }

    /// <summary>The company a command acts for: absent means the one in the token.</summary>
    internal static Option<string?> OwnCompany() => Opt.Text("--company", "the company (default: the one in the token)", "ID");

    private static Option<double?> Latitude(bool required = false) => Opt.Number("--lat", "latitude, with --lon", required: required);

    private static Option<double?> Longitude(bool required = false) => Opt.Number("--lon", "longitude, with --lat", required: required, helpName: "Y");

    private static Option<UnitStatus?> Status(string description) =>
        Opt.Keyword<UnitStatus>("--status", description, "available|unavailable|en-route|on-scene|out-of-service");

    private static Command Register(Shell shell)
    {
        var company = OwnCompany();
        var name = Opt.Text("--name", "the company's name, kept with its registration", "NAME");
        var unit = Opt.Text("--unit", "the unit's id", "ID", required: true);
        var headcount = Opt.WholeNumber("--headcount", "guards in the unit", required: true);
        var district = Opt.Text("--district", "the unit's home police district", "ID", required: true);
        var capabilities = Opt.List("--capabilities", "what the unit can do (coord capabilities lists them)", "a,b", required: true);
        var lat = Latitude();
        var lon = Longitude();
        var command = new Command("register", "registers a unit, or updates it") { company, name, unit, headcount, district, capabilities, lat, lon };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var registered = await api.Company.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                CompanyId = parsed.GetValue(company) ?? "",
                CompanyName = parsed.GetValue(name) ?? "",
                Units =
                {
                    new UnitRegistration
                    {
                        UnitId = parsed.GetRequiredValue(unit)!,
                        Headcount = parsed.GetValue(headcount),
                        HomeDistrict = parsed.GetRequiredValue(district)!,
                        Capabilities = { parsed.GetValue(capabilities)! },
                        Position = Lines.Position(parsed.GetValue(lat), parsed.GetValue(lon)),
                    },
                },
            });
            await shell.Output.WriteLineAsync($"created {registered.Created}, updated {registered.Updated}");
        });
    }

    private static Command Report(Shell shell)
    {
        var company = OwnCompany();
        var unit = Opt.Text("--unit", "the unit's id", "ID", required: true);
        var status = Status("the unit's new status (default: none, a heartbeat)");
        var lat = Latitude();
        var lon = Longitude();
        var command = new Command("report", "reports a unit's status or position; without either, a heartbeat") { company, unit, status, lat, lon };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var ack = await api.Company.ReportUnitAsync(new UnitReport
            {
                CompanyId = parsed.GetValue(company) ?? "",
                UnitId = parsed.GetRequiredValue(unit)!,
                Status = parsed.GetValue(status) ?? UnitStatus.Unspecified,
                Position = Lines.Position(parsed.GetValue(lat), parsed.GetValue(lon)),
            });
            await shell.Output.WriteLineAsync($"{Lines.Unit(ack.Unit)}{(ack.Durable ? "" : "  (heartbeat: flushed to disk within seconds)")}");
        });
    }

    private static Command Feed(Shell shell)
    {
        var company = OwnCompany();
        var status = Status("the status to report for every unit (required without --every)");
        var units = Opt.List("--units", "the units to report", "u1,u2", required: true);
        var every = Opt.Interval("--every",
            "send the status once, then a heartbeat for each unit every interval until Ctrl+C or kill "
            + "(a unit without one for 5 minutes is stale: not counted as capacity)");
        var command = new Command("feed", "reports units in one client-streaming call, or keeps them fresh with --every")
        {
            company, status, units, every,
        };
        // Presence, not values: a malformed value is its option's own error, and reading it here would throw.
        command.Validators.Add(result =>
        {
            if (result.GetResult(every) is null && result.GetResult(status) is null)
            {
                result.AddError("--status is required (or --every to send heartbeats)");
            }
        });
        return shell.Calling(command, (parsed, api, stop) => UnitFeed.RunAsync(
            api.Company, parsed.GetValue(company) ?? "", parsed.GetValue(units)!, parsed.GetValue(status) ?? UnitStatus.Unspecified, parsed.GetValue(every),
            shell.Output, shell.Error, stop));
    }

    private static Command Units(Shell shell)
    {
        var company = OwnCompany();
        var command = new Command("units", "the company's units, with their status and whether they count as capacity") { company };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var units = await api.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = parsed.GetValue(company) ?? "" });
            foreach (var unit in units.Units)
            {
                await shell.Output.WriteLineAsync(Lines.Unit(unit));
            }
        });
    }

    private static Command Offers(Shell shell)
    {
        var company = OwnCompany();
        var seconds = Opt.Number("--seconds", "how long to watch", byDefault: 5, helpName: "N");
        var command = new Command("offers", "the company's offers as they come, for a while") { company, seconds };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(parsed.GetValue(seconds) ?? 5));
            using var watch = api.Company.WatchOffers(new WatchOffersRequest { CompanyId = parsed.GetValue(company) ?? "" }, cancellationToken: timeout.Token);
            try
            {
                await foreach (var e in watch.ResponseStream.ReadAllAsync(timeout.Token))
                {
                    await shell.Output.WriteLineAsync($"{e.Kind,-12} {e.Offer.OfferId} {e.Offer.Status} {e.Offer.Guards} x {e.Offer.Capability} in {e.Offer.DistrictId}{(e.Offer.Exercise ? " EXERCISE" : "")}, answer by {Lines.Time(e.Offer.Deadline)}, suggested {string.Join(",", e.Offer.SuggestedUnitIds)}");
                }
            }
            catch (Exception e) when (e is OperationCanceledException || (e is RpcException rpc && rpc.StatusCode == StatusCode.Cancelled))
            {
                // The watch ends when its time is up: that is the normal end, not a failure.
            }
        });
    }

    private static Command Answer(Shell shell)
    {
        var company = OwnCompany();
        var offer = Opt.Text("--offer", "the offer's id", "ID", required: true);
        var commit = Opt.List("--commit", "the units to commit", "u1,u2");
        var decline = Opt.Text("--decline", "declines the offer, with the reason", "REASON");
        var answerId = Opt.Text("--answer-id", "the answer's id, so a retry is not a second answer (default: a new one)", "ID");
        var command = new Command("answer", "answers an offer: commits units, or declines") { company, offer, commit, decline, answerId };
        command.Validators.Add(result =>
        {
            if (result.GetResult(decline) is null && result.GetResult(commit) is null)
            {
                result.AddError("--commit or --decline is required");
            }
        });
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var answer = new AnswerOfferRequest
            {
                CompanyId = parsed.GetValue(company) ?? "",
                OfferId = parsed.GetRequiredValue(offer)!,
                AnswerId = parsed.GetValue(answerId) ?? Guid.NewGuid().ToString("N"),
            };
            if (parsed.GetValue(decline) is { } reason)
            {
                answer.Decline = new Decline { Reason = reason };
            }
            else
            {
                answer.Commit = new CommitUnits { UnitIds = { parsed.GetValue(commit)! } };
            }

            var answered = await api.Company.AnswerOfferAsync(answer);
            await shell.Output.WriteLineAsync($"{answered.OfferId} {answered.Status} {answered.CommittedGuards} guards");
        });
    }

    private static Command Progress(Shell shell)
    {
        var company = OwnCompany();
        var unit = Opt.Text("--unit", "the unit's id", "ID", required: true);
        var progress = Opt.Keyword<AssignmentProgress>("--progress", "where the unit is on its assignment", "en-route|on-scene|returned", required: true);
        var command = new Command("progress", "reports a committed unit's progress on its assignment") { company, unit, progress };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var moved = await api.Company.ReportAssignmentProgressAsync(new AssignmentProgressRequest
            {
                CompanyId = parsed.GetValue(company) ?? "",
                UnitId = parsed.GetRequiredValue(unit)!,
                Progress = parsed.GetValue(progress) ?? AssignmentProgress.Unspecified,
            });
            await shell.Output.WriteLineAsync(Lines.Unit(moved.Unit));
        });
    }
}
