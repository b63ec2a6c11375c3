using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using Coordination.Api.V1;
using Grpc.Core;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Coordination.Cli;

/// <summary>
/// coord bulletin: police bulletins to the companies (BulletinService). The police issue one and
/// follow it up (update, cancel, all clear); a company lists, watches and acknowledges what was
/// addressed to it; whoever may read a bulletin shows it or exports it as a CAP 1.2 alert.
/// </summary>
internal static class BulletinCommands
{
    public static Command Create(Shell shell) => new("bulletin", "police bulletins to the companies: issue, follow up, list, show, acknowledge, watch, export as CAP")
    {
        Issue(shell),
        FollowUp(shell, "update", BulletinMessageType.Update, "replaces an outstanding bulletin; what is not given stays as it was", ""),
        FollowUp(shell, "cancel", BulletinMessageType.Cancel, "withdraws an outstanding bulletin: disregard it", "Cancelled: "),
        FollowUp(shell, "all-clear", BulletinMessageType.AllClear, "ends an outstanding bulletin: the situation is over", "All clear: "),
        List(shell),
        Show(shell),
        Acknowledge(shell),
        Export(shell),
        Watch(shell),
    };

    /// <summary>Whether the parsed command is bulletin watch, which runs until it is stopped.</summary>
    public static bool IsWatch(CommandResult command) =>
        command.Command.Name == "watch" && command.Parent is CommandResult { Command.Name: "bulletin" };

    /// <summary>
    /// Whether the option was on the command line: an option with a default has a result when it was
    /// not (an implicit one, once parsing is done), and a list left out must not read as an empty one given.
    /// </summary>
    private static bool Given(OptionResult? result) => result is { Implicit: false };

    private static Argument<string> BulletinId() => new("id") { Description = "the bulletin's id, <district>.<id>" };

    private static Command Issue(Shell shell)
    {
        var district = Opt.Text("--district", "the issuing police district", "ID", required: true);
        var id = Opt.Text("--id", "the bulletin's id within the district, chosen by you, so a retry issues it once", "ID", required: true);
        var content = new Content(issuing: true);
        var command = new Command("issue", "issues a bulletin to the companies in an area (police)") { district, id };
        content.AddTo(command);
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var request = new IssueBulletinRequest
            {
                DistrictId = parsed.GetRequiredValue(district)!,
                BulletinId = parsed.GetRequiredValue(id)!,
                MessageType = BulletinMessageType.Alert,
                Audience = new BulletinAudience { Kind = BulletinAudienceKind.AllInArea },
            };
            content.Fill(parsed, request, DateTimeOffset.UtcNow);
            await Lines.WriteBulletinAsync(shell.Output, await api.Bulletins.IssueBulletinAsync(request));
        });
    }

    /// <summary>
    /// An update, cancel or all clear: a bulletin of its own that follows the latest of a chain. It
    /// starts as a copy of the one it follows (read first), so only what changes need be given. A
    /// cancel or all clear does not repeat the earlier text, which described what is now over, nor
    /// does any follow-up repeat a deadline for acknowledgement, which was the earlier bulletin's question.
    /// </summary>
    private static Command FollowUp(Shell shell, string name, BulletinMessageType type, string description, string headlinePrefix)
    {
        var references = Opt.Text("--references", "the bulletin it follows, <district>.<id>: the latest of its chain", "ID", required: true);
        references.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value.IndexOf('.', StringComparison.Ordinal) is <= 0)
            {
                result.AddError($"--references: '{result.Tokens[^1].Value}' is not a bulletin id (<district>.<id>)");
            }
        });
        var district = Opt.Text("--district", "the issuing police district (default: the district of --references, where a chain stays)", "ID");
        var id = Opt.Text("--id", "this bulletin's id within the district, chosen by you, so a retry issues it once", "ID", required: true);
        var content = new Content(issuing: false);
        var command = new Command(name, $"{description} (police)") { references, district, id };
        content.AddTo(command);
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var earlierId = parsed.GetRequiredValue(references)!;
            var earlier = await api.Bulletins.GetBulletinAsync(new GetBulletinRequest { BulletinId = earlierId });
            var update = type == BulletinMessageType.Update;
            var request = new IssueBulletinRequest
            {
                DistrictId = parsed.GetValue(district) ?? earlierId[..earlierId.IndexOf('.', StringComparison.Ordinal)],
                BulletinId = parsed.GetRequiredValue(id)!,
                MessageType = type,
                References = earlierId,
                Kind = earlier.Kind,
                Headline = update ? earlier.Headline : Headline(headlinePrefix + (earlier.Headline.Length > 0 ? earlier.Headline : earlier.Id)),
                Description = update ? earlier.Description : "",
                Instruction = update ? earlier.Instruction : "",
                Urgency = earlier.Urgency,
                Severity = earlier.Severity,
                Certainty = earlier.Certainty,
                Status = earlier.Status,
                Area = earlier.Area,
                Audience = earlier.Audience,
                Tlp = earlier.Tlp,
                Expires = earlier.Expires,
                IncidentId = earlier.IncidentId,
            };
            content.Fill(parsed, request, DateTimeOffset.UtcNow);
            await Lines.WriteBulletinAsync(shell.Output, await api.Bulletins.IssueBulletinAsync(request));
        });
    }

    private static Command List(Shell shell)
    {
        var district = Opt.Text("--district", "the bulletins issued in a district (police, viewer); without it, the company's outstanding ones", "ID");
        var ended = Opt.Flag("--ended", "with --district: the most recently ended ones too");
        var company = CompanyCommands.OwnCompany();
        var command = new Command("list", "a district's bulletins, newest first, or the company's outstanding ones, oldest first") { district, ended, company };
        command.Validators.Add(result =>
        {
            if (!Given(result.GetResult(district)) && Given(result.GetResult(ended)))
            {
                result.AddError("--ended needs --district (a company's list holds its outstanding bulletins only)");
            }

            if (Given(result.GetResult(district)) && Given(result.GetResult(company)))
            {
                result.AddError("--company is for a company's own list; --district lists a district's bulletins");
            }
        });
        return shell.Calling(command, async (parsed, api, _) =>
        {
            ListBulletinsResponse listed;
            try
            {
                listed = parsed.GetValue(district) is { } inDistrict
                    ? await api.Bulletins.ListBulletinsAsync(new ListBulletinsRequest { DistrictId = inDistrict, IncludeEnded = parsed.GetValue(ended) })
                    : await api.Bulletins.ListCompanyBulletinsAsync(new ListCompanyBulletinsRequest { CompanyId = parsed.GetValue(company) ?? "" });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.PermissionDenied && parsed.GetValue(district) is null)
            {
                // The refusal names ListCompanyBulletins, which the operator never typed: say what list they meant.
                throw new RpcException(new Status(e.StatusCode, $"{e.Status.Detail}; police and viewers list a district's bulletins with --district"), e.Trailers);
            }

            foreach (var bulletin in listed.Bulletins)
            {
                await shell.Output.WriteLineAsync(Lines.Bulletin(bulletin));
            }
        });
    }

    private static Command Show(Shell shell)
    {
        var id = BulletinId();
        var command = new Command("show", "one bulletin: its text, and each recipient's delivery and acknowledgement (a company sees its own)") { id };
        return shell.Calling(command, async (parsed, api, _) =>
            await Lines.WriteBulletinAsync(shell.Output, await api.Bulletins.GetBulletinAsync(new GetBulletinRequest { BulletinId = parsed.GetRequiredValue(id) })));
    }

    private static Command Acknowledge(Shell shell)
    {
        var id = BulletinId();
        var received = Opt.Flag("--received", "the control room has it");
        var relayed = Opt.WholeNumber("--relayed", "passed on to this many of the company's units (not for TLP:RED)");
        var cannotAct = Opt.Text("--cannot-act", "the company cannot act on it, and why", "REASON");
        var company = CompanyCommands.OwnCompany();
        var command = new Command("ack", "acknowledges a bulletin addressed to the company; a different answer later replaces it") { id, received, relayed, cannotAct, company };
        command.Validators.Add(result =>
        {
            var answers = new Option[] { received, relayed, cannotAct }.Count(o => Given(result.GetResult(o)));
            if (answers != 1)
            {
                result.AddError(answers == 0 ? "--received, --relayed or --cannot-act is required" : "only one of --received, --relayed and --cannot-act");
            }
        });
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var request = new AcknowledgeBulletinRequest { CompanyId = parsed.GetValue(company) ?? "", BulletinId = parsed.GetRequiredValue(id) };
            if (parsed.GetValue(cannotAct) is { } reason)
            {
                (request.Acknowledgement, request.Text) = (AcknowledgementKind.CannotAct, reason);
            }
            else if (Given(parsed.GetResult(relayed)))
            {
                (request.Acknowledgement, request.RelayedUnits) = (AcknowledgementKind.Relayed, parsed.GetValue(relayed));
            }
            else
            {
                request.Acknowledgement = AcknowledgementKind.Received;
            }

            var acknowledged = await api.Bulletins.AcknowledgeBulletinAsync(request);
            await shell.Output.WriteLineAsync(Lines.Bulletin(acknowledged));
            foreach (var r in acknowledged.Recipients)
            {
                await shell.Output.WriteLineAsync(Lines.Recipient(r));
            }
        });
    }

    private static Command Export(Shell shell)
    {
        var id = BulletinId();
        var file = Opt.Text("--out", "write the alert to this file instead of printing it", "FILE");
        var command = new Command("export", "the bulletin as an OASIS CAP 1.2 alert (XML); the export is audited") { id, file };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var cap = await api.Bulletins.ExportBulletinCapAsync(new ExportBulletinCapRequest { BulletinId = parsed.GetRequiredValue(id) });
            if (parsed.GetValue(file) is not { } path)
            {
                await shell.Output.WriteLineAsync(cap.Xml);
                return;
            }

            var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(cap.Xml);
            try
            {
                await File.WriteAllBytesAsync(path, bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Shell turns this into one line and exit code 2: the file named cannot be written.
                throw new ArgumentException($"--out: {e.Message}", e);
            }

            await shell.Output.WriteLineAsync($"{cap.BulletinId}: {cap.ContentType} written to {path} ({bytes.Length} bytes)");
        });
    }

    private static Command Watch(Shell shell)
    {
        var after = Opt.Sequence("--after", "the last sequence number received: go on from there without repeats (0: every outstanding bulletin first)");
        var seconds = Opt.Number("--seconds", "stop after this long (default: until Ctrl+C or kill)", helpName: "N");
        var company = CompanyCommands.OwnCompany();
        var command = new Command("watch", "the company's bulletins as they come, each line with its sequence number to resume from") { after, seconds, company };
        return shell.Calling(command, async (parsed, api, stop) =>
        {
            using var timeout = parsed.GetValue(seconds) is { } limit ? new CancellationTokenSource(TimeSpan.FromSeconds(limit)) : new CancellationTokenSource();
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
            await BulletinStream.RunAsync(api, parsed.GetValue(company) ?? "", parsed.GetValue(after), shell.Output, shell.Error, stopping.Token);
        });
    }

    /// <summary>CAP's advice for a headline, as the bulletin rules enforce it: a prefixed headline is cut to fit.</summary>
    private static string Headline(string text) =>
        text.Length <= Coordination.Domain.BulletinRules.MaxHeadline ? text : text[..(Coordination.Domain.BulletinRules.MaxHeadline - 1)] + "…";

    /// <summary>
    /// What a bulletin says and whom it reaches: the same options for an issue and for its follow-ups.
    /// An issue needs a kind, headline, level and area and has CAP's usual defaults for the rest; a
    /// follow-up has no defaults, so an option left out keeps the earlier bulletin's value.
    /// </summary>
    private sealed class Content
    {
        private readonly bool _issuing;
        private readonly Option<string?> _kind;
        private readonly Option<string?> _headline;
        private readonly Option<string?> _description;
        private readonly Option<string?> _instruction;
        private readonly Option<Tlp?> _tlp;
        private readonly Option<BulletinUrgency?> _urgency;
        private readonly Option<BulletinSeverity?> _severity;
        private readonly Option<BulletinCertainty?> _certainty;
        private readonly Option<BulletinStatus?> _status;
        private readonly Option<string[]> _districts;
        private readonly Option<Circle?> _circle;
        private readonly Option<GeoPoint[]> _polygon;
        private readonly Option<string[]> _companies;
        private readonly Option<string?> _capability;
        private readonly Option<bool> _everyone;
        private readonly Option<bool> _onDutyOnly;
        private readonly Option<Moment?> _expires;
        private readonly Option<Moment?> _acknowledgeBy;
        private readonly Option<string?> _incident;

        public Content(bool issuing)
        {
            _issuing = issuing;
            _kind = Opt.Text("--kind", "what it is about: wanted-person, wanted-vehicle, missing-person, area-warning, ... (coord capabilities lists them)", "KIND", required: issuing);
            _headline = Opt.Text("--headline", $"one line, at most {Coordination.Domain.BulletinRules.MaxHeadline} characters", "TEXT", required: issuing);
            _description = Opt.Text("--description", "what is known", "TEXT");
            _instruction = Opt.Text("--instruction", "what guards should do (for people and vehicles sought the system adds: observe and report, do not intervene)", "TEXT");
            _tlp = Opt.Keyword<Tlp>("--tlp", "who may see it (Traffic Light Protocol 2.0; red: control rooms only)", "clear|green|amber|amber-strict|red", required: issuing);
            _urgency = Opt.Keyword<BulletinUrgency>("--urgency", "CAP urgency", "immediate|expected|future|past|unknown", issuing ? BulletinUrgency.Expected : null);
            _severity = Opt.Keyword<BulletinSeverity>("--severity", "CAP severity", "extreme|severe|moderate|minor|unknown", issuing ? BulletinSeverity.Moderate : null);
            _certainty = Opt.Keyword<BulletinCertainty>("--certainty", "CAP certainty", "observed|likely|possible|unlikely|unknown", issuing ? BulletinCertainty.Likely : null);
            _status = Opt.Keyword<BulletinStatus>("--status", "an exercise or a test is marked as one everywhere", "actual|exercise|test", issuing ? BulletinStatus.Actual : null);
            _districts = Opt.List("--districts", "area: these police districts (units by their home district)", "a,b");
            _circle = Opt.Circle("--circle", "area: a circle (units by their last reported position)");
            _polygon = Opt.Polygon("--polygon", "area: a polygon, closed for you if the last point is not the first");
            _companies = Opt.List("--companies", "audience: these companies, wherever their units are", "a,b");
            _capability = Opt.Text("--capability", "audience: companies with units in the area that have this capability", "C");
            _everyone = Opt.Flag("--all-in-area", "audience: every licensed company with units in the area (the default of an issue)");
            _onDutyOnly = Opt.Flag("--on-duty-only", "audience: only units on duty count (available, committed, en route, on scene)");
            _expires = Opt.Moment("--expires", issuing ? "when it ends by itself (at most 30 days)" : "when it ends by itself (default: as the earlier one)",
                issuing ? new Moment(TimeSpan.FromHours(24), null) : null);
            _acknowledgeBy = Opt.Moment("--ack-by", "companies must acknowledge by then (a duration from now or a time); it is re-sent once to those who did not");
            _incident = Opt.Text("--incident", "the incident it belongs to", "ID");
        }

        public void AddTo(Command command)
        {
            foreach (var option in new Option[]
            {
                _kind, _headline, _description, _instruction, _tlp, _urgency, _severity, _certainty, _status,
                _districts, _circle, _polygon, _companies, _capability, _everyone, _onDutyOnly, _expires, _acknowledgeBy, _incident,
            })
            {
                command.Add(option);
            }

            // Presence, not values: a malformed value is its option's own error, and reading it here would throw.
            command.Validators.Add(result =>
            {
                var areas = new Option[] { _districts, _circle, _polygon }.Count(o => Given(result.GetResult(o)));
                if (areas == 0 && _issuing)
                {
                    result.AddError("--districts, --circle or --polygon is required (where it applies)");
                }
                else if (areas > 1)
                {
                    result.AddError("only one of --districts, --circle and --polygon");
                }

                if (new Option[] { _companies, _capability, _everyone }.Count(o => Given(result.GetResult(o))) > 1)
                {
                    result.AddError("only one of --companies, --capability and --all-in-area");
                }
            });
        }

        /// <summary>Sets on <paramref name="r"/> what the options give (an issue's defaults included); the rest stays.</summary>
        public void Fill(ParseResult parsed, IssueBulletinRequest r, DateTimeOffset now)
        {
            r.Kind = parsed.GetValue(_kind) ?? r.Kind;
            r.Headline = parsed.GetValue(_headline) ?? r.Headline;
            r.Description = parsed.GetValue(_description) ?? r.Description;
            r.Instruction = parsed.GetValue(_instruction) ?? r.Instruction;
            r.Tlp = parsed.GetValue(_tlp) ?? r.Tlp;
            r.Urgency = parsed.GetValue(_urgency) ?? r.Urgency;
            r.Severity = parsed.GetValue(_severity) ?? r.Severity;
            r.Certainty = parsed.GetValue(_certainty) ?? r.Certainty;
            r.Status = parsed.GetValue(_status) ?? r.Status;
            r.IncidentId = parsed.GetValue(_incident) ?? r.IncidentId;
            if (Given(parsed.GetResult(_districts)))
            {
                r.Area = new BulletinArea { Districts = { parsed.GetValue(_districts)! } };
            }
            else if (parsed.GetValue(_circle) is { } circle)
            {
                r.Area = new BulletinArea { Circle = circle };
            }
            else if (Given(parsed.GetResult(_polygon)))
            {
                r.Area = new BulletinArea { Polygon = { parsed.GetValue(_polygon)! } };
            }

            // An audience given anew is given whole (its on-duty limit too); --on-duty-only alone narrows the earlier one.
            var onDutyOnly = parsed.GetValue(_onDutyOnly);
            if (Given(parsed.GetResult(_companies)))
            {
                r.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { parsed.GetValue(_companies)! }, OnDutyOnly = onDutyOnly };
            }
            else if (parsed.GetValue(_capability) is { } capability)
            {
                r.Audience = new BulletinAudience { Kind = BulletinAudienceKind.Capability, Capability = capability, OnDutyOnly = onDutyOnly };
            }
            else if (parsed.GetValue(_everyone))
            {
                r.Audience = new BulletinAudience { Kind = BulletinAudienceKind.AllInArea, OnDutyOnly = onDutyOnly };
            }
            else if (onDutyOnly)
            {
                r.Audience = new BulletinAudience(r.Audience) { OnDutyOnly = true };
            }

            if (parsed.GetValue(_expires) is { } expires)
            {
                r.Expires = Timestamp.FromDateTimeOffset(expires.From(now));
            }

            var acknowledgeBy = parsed.GetValue(_acknowledgeBy);
            r.AcknowledgementRequired = acknowledgeBy is not null;
            r.AcknowledgeBy = acknowledgeBy is { } by ? Timestamp.FromDateTimeOffset(by.From(now)) : null;
        }
    }
}
