using System.CommandLine;
using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Coordination.Cli;

/// <summary>The calls a police operations centre or the directorate makes (PoliceService).</summary>
internal static class PoliceCommands
{
    public static IEnumerable<Command> Create(Shell shell)
    {
        yield return Capacity(shell);
        yield return Licence(shell);
        yield return Agreement(shell);
        yield return Company(shell);
        yield return Companies(shell);
        yield return Open(shell);
        yield return Request(shell);
        yield return Incident(shell);
        yield return Release(shell);
        yield return Close(shell);
        yield return Districts(shell);
        yield return Capabilities(shell);
    }

    private static Option<string?> IncidentId() => Opt.Text("--incident", "the incident's id", "ID", required: true);

    private static Command Capacity(Shell shell)
    {
        var district = Opt.Text("--district", "the police district", "ID");
        var neighbours = Opt.Flag("--neighbours", "the district and its neighbours");
        var national = Opt.Flag("--national", "every district (instead of --district)");
        var command = new Command("capacity", "available units and guards, by capability") { district, neighbours, national };
        command.Validators.Add(result =>
        {
            if (result.GetResult(national) is null && result.GetResult(district) is null)
            {
                result.AddError("--district is required (or --national)");
            }
        });
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var request = parsed.GetValue(national)
                ? new GetCapacityRequest { Scope = CapacityScope.National }
                : new GetCapacityRequest
                {
                    Scope = parsed.GetValue(neighbours) ? CapacityScope.DistrictAndNeighbours : CapacityScope.District,
                    DistrictId = parsed.GetValue(district) ?? "",
                };
            var report = await api.Police.GetCapacityAsync(request);
            await shell.Output.WriteLineAsync($"{string.Join(", ", report.Districts)}: {report.AvailableUnits} units / {report.AvailableGuards} guards available of {report.RegisteredUnits} registered ({report.StaleUnits} stale)");
            foreach (var line in report.ByCapability)
            {
                await shell.Output.WriteLineAsync($"  {line.Capability,-18} {line.AvailableUnits,5} units {line.AvailableGuards,6} guards");
            }
        });
    }

    private static Command Licence(Shell shell)
    {
        var company = Opt.Text("--company", "the company", "ID", required: true);
        var licence = Opt.Keyword<LicenceStatus>("--licence", "the company's licence", "valid|suspended|revoked", required: true);
        var reason = Opt.Text("--reason", "why, kept with the licence", "TEXT");
        var command = new Command("licence", "sets a company's licence (national police)") { company, licence, reason };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var set = await api.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest
            {
                CompanyId = parsed.GetRequiredValue(company)!,
                Licence = parsed.GetValue(licence) ?? LicenceStatus.Unspecified,
                Reason = parsed.GetValue(reason) ?? "",
            });
            await shell.Output.WriteLineAsync($"{set.CompanyId}: licence {set.Licence}, {set.Units} units");
        });
    }

    private static Command Agreement(Shell shell)
    {
        var company = Opt.Text("--company", "the company", "ID", required: true);
        var priorities = Opt.Keywords<Priority>("--priorities", "the priorities the agreement covers; none ends it", "urgent,high,routine");
        var command = new Command("agreement", "sets a company's framework agreement (national police)") { company, priorities };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var agreement = await api.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest
            {
                CompanyId = parsed.GetRequiredValue(company)!,
                Priorities = { parsed.GetValue(priorities)! },
            });
            await shell.Output.WriteLineAsync($"{agreement.CompanyId}: framework agreement for {string.Join(", ", agreement.FrameworkAgreements)}");
        });
    }

    private static Command Company(Shell shell)
    {
        var company = Opt.Text("--company", "the company (default: the one in the token)", "ID");
        var command = new Command("company", "one company: licence, agreements, units (national police, or the company's own token)") { company };
        return shell.Calling(command, async (parsed, api, _) =>
            await shell.Output.WriteLineAsync(Lines.Company(await api.Police.GetCompanyAsync(new GetCompanyRequest { CompanyId = parsed.GetValue(company) ?? "" }))));
    }

    private static Command Companies(Shell shell)
    {
        var pageSize = Opt.WholeNumber("--page-size", "companies per call", byDefault: 100);
        var command = new Command("companies", "every company, all pages (national police)") { pageSize };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var page = new ListCompaniesRequest { PageSize = parsed.GetValue(pageSize) };
            do
            {
                var companies = await api.Police.ListCompaniesAsync(page);
                foreach (var listed in companies.Companies)
                {
                    await shell.Output.WriteLineAsync(Lines.Company(listed));
                }

                page.PageToken = companies.NextPageToken;
            }
            while (page.PageToken.Length > 0);
        });
    }

    private static Command Open(Shell shell)
    {
        var district = Opt.Text("--district", "the police district", "ID", required: true);
        var requestId = Opt.Text("--request-id", "the caller's id for the incident, so a retry opens it once", "ID", required: true);
        var title = Opt.Text("--title", "what happened", "TEXT", required: true);
        var lat = Opt.Number("--lat", "latitude", required: true);
        var lon = Opt.Number("--lon", "longitude", required: true, helpName: "Y");
        var priority = Opt.Keyword<Priority>("--priority", "how urgent", "urgent|high|routine", byDefault: Priority.High);
        var exercise = Opt.Flag("--exercise", "an exercise, not a real incident");
        var command = new Command("open", "opens an incident") { district, requestId, title, lat, lon, priority, exercise };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var opened = await api.Police.OpenIncidentAsync(new OpenIncidentRequest
            {
                DistrictId = parsed.GetRequiredValue(district)!,
                RequestId = parsed.GetRequiredValue(requestId)!,
                Title = parsed.GetRequiredValue(title)!,
                Location = Lines.Position(parsed.GetValue(lat), parsed.GetValue(lon)),
                Priority = parsed.GetValue(priority) ?? Priority.High,
                Exercise = parsed.GetValue(exercise),
            });
            await shell.Output.WriteLineAsync($"{opened.IncidentId} {opened.Status} {opened.Priority}{(opened.Exercise ? " EXERCISE" : "")}");
        });
    }

    private static Command Request(Shell shell)
    {
        var incident = IncidentId();
        var requestId = Opt.Text("--request-id", "the caller's id for the request, so a retry asks once", "ID", required: true);
        var capability = Opt.Text("--capability", "what the guards must be able to do", "C", required: true);
        var guards = Opt.WholeNumber("--guards", "how many guards", required: true);
        var lat = Opt.Number("--lat", "latitude of where they are needed", required: true);
        var lon = Opt.Number("--lon", "longitude of where they are needed", required: true, helpName: "Y");
        var hours = Opt.Number("--hours", "how long, from now", byDefault: 6, helpName: "H");
        var partial = Opt.Flag("--partial", "fewer guards than asked are welcome");
        var neighbours = Opt.Flag("--neighbours", "guards from neighbouring districts are welcome");
        var command = new Command("request", "asks for guards for an incident") { incident, requestId, capability, guards, lat, lon, hours, partial, neighbours };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var requested = await api.Police.RequestCapacityAsync(new RequestCapacityRequest
            {
                IncidentId = parsed.GetRequiredValue(incident)!,
                RequestId = parsed.GetRequiredValue(requestId)!,
                Capability = parsed.GetRequiredValue(capability)!,
                Guards = parsed.GetValue(guards),
                Location = Lines.Position(parsed.GetValue(lat), parsed.GetValue(lon)),
                Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                DurationMinutes = (int)((parsed.GetValue(hours) ?? 6) * 60),
                AllowPartial = parsed.GetValue(partial),
                AllowNeighbours = parsed.GetValue(neighbours),
            });
            await Lines.WriteRequestAsync(shell.Output, requested);
        });
    }

    private static Command Incident(Shell shell)
    {
        var incident = IncidentId();
        var command = new Command("incident", "an incident: requests, offers, assignments and timeline") { incident };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var shown = await api.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = parsed.GetRequiredValue(incident)! });
            await shell.Output.WriteLineAsync($"{shown.IncidentId} {shown.Status} {shown.Priority}{(shown.Exercise ? " EXERCISE" : "")}: {shown.Title}");
            foreach (var r in shown.Requests)
            {
                await Lines.WriteRequestAsync(shell.Output, r);
            }

            foreach (var e in shown.Timeline)
            {
                var details = string.Join(' ', new[] { e.RequestId, e.ObservationId, e.CompanyId, string.Join(",", e.UnitIds), e.Reason }.Where(d => d.Length > 0));
                await shell.Output.WriteLineAsync($"  {e.Sequence,4} {Lines.Time(e.At)} {e.Kind,-13} {e.Actor,-32} {details}".TrimEnd());
            }
        });
    }

    private static Command Release(Shell shell)
    {
        var incident = IncidentId();
        var units = Opt.List("--units", "the units to release (default: all of the incident's)", "company/unit,...");
        var reason = Opt.Text("--reason", "why, for the timeline", "TEXT");
        var command = new Command("release", "releases units from an incident") { incident, units, reason };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var releasing = new ReleaseUnitsRequest { IncidentId = parsed.GetRequiredValue(incident)!, Reason = parsed.GetValue(reason) ?? "" };
            foreach (var unit in parsed.GetValue(units)!)
            {
                var slash = unit.IndexOf('/');
                releasing.Units.Add(new ReleaseUnitsRequest.Types.UnitRef { CompanyId = unit[..Math.Max(0, slash)], UnitId = unit[(slash + 1)..] });
            }

            var afterRelease = await api.Police.ReleaseUnitsAsync(releasing);
            foreach (var r in afterRelease.Requests)
            {
                await Lines.WriteRequestAsync(shell.Output, r);
            }
        });
    }

    private static Command Close(Shell shell)
    {
        var incident = IncidentId();
        var reason = Opt.Text("--reason", "why, for the timeline", "TEXT");
        var command = new Command("close", "closes an incident, releasing its units") { incident, reason };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var closed = await api.Police.CloseIncidentAsync(new CloseIncidentRequest { IncidentId = parsed.GetRequiredValue(incident)!, Reason = parsed.GetValue(reason) ?? "" });
            await shell.Output.WriteLineAsync($"{closed.IncidentId} {closed.Status}");
        });
    }

    private static Command Districts(Shell shell) =>
        shell.Calling(new Command("districts", "the police districts, their protected reserves and neighbours"), async (_, api, _) =>
        {
            foreach (var district in (await api.Police.ListDistrictsAsync(new ListDistrictsRequest())).Districts)
            {
                await shell.Output.WriteLineAsync($"{district.Id,-16} {district.Name,-16} reserve {district.ProtectedReserveGuards,3}  neighbours {string.Join(",", district.Neighbours)}");
            }
        });

    private static Command Capabilities(Shell shell) =>
        shell.Calling(new Command("capabilities", "the capabilities units may have, the tasks guards may not lawfully take, the kinds of bulletin and the categories of observation"), async (_, api, _) =>
        {
            var catalogue = await api.Police.ListCapabilitiesAsync(new ListCapabilitiesRequest());
            foreach (var capability in catalogue.Capabilities)
            {
                await shell.Output.WriteLineAsync($"{capability.Id,-18} {capability.Name}");
            }

            foreach (var forbidden in catalogue.ForbiddenTasks)
            {
                await shell.Output.WriteLineAsync($"not lawful: {forbidden.Id,-20} {forbidden.Reason}");
            }

            foreach (var kind in catalogue.BulletinKinds)
            {
                await shell.Output.WriteLineAsync($"bulletin kind: {kind.Id,-20} {kind.Name}{(kind.ObserveOnly ? " (guards observe and report, never intervene)" : "")}");
            }

            foreach (var category in catalogue.ObservationCategories)
            {
                await shell.Output.WriteLineAsync($"observation category: {category.Id,-20} {category.Name}");
            }
        });
}
