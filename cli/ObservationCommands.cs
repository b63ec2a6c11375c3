using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Security.Cryptography;
using Coordination.Api.V1;
using Google.Protobuf;
using Grpc.Core;
using ObservationRules = Coordination.Domain.ObservationRules;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Coordination.Cli;

/// <summary>
/// coord observation: what guards saw, for the police (ObservationService). A company reports one,
/// photos included, and watches the police's answers; the police of the district it went to list and
/// watch their queue, show one, triage it, put it on an incident and read its photos.
/// </summary>
internal static class ObservationCommands
{
    public static Command Create(Shell shell) => new("observation", "guards' observations to the police: report, list, show, triage, attach, photo, watch, feedback")
    {
        Report(shell),
        List(shell),
        Show(shell),
        Triage(shell),
        Attach(shell),
        Photo(shell),
        Watch(shell),
        Feedback(shell),
    };

    /// <summary>Whether the parsed command is observation watch or feedback, which run until they are stopped.</summary>
    public static bool IsStream(CommandResult command) =>
        command.Command.Name is "watch" or "feedback" && command.Parent is CommandResult { Command.Name: "observation" };

    /// <summary>Whether the option was on the command line (see BulletinCommands: an option with a default has an implicit result).</summary>
    private static bool Given(OptionResult? result) => result is { Implicit: false };

    private static Argument<string> ObservationId()
    {
        var id = new Argument<string>("id") { Description = "the observation's id, <company>/<id>" };
        id.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.Tokens[^1].Value is var text && text.IndexOf('/', StringComparison.Ordinal) is var slash
                && (slash <= 0 || slash == text.Length - 1))
            {
                result.AddError($"'{text}' is not an observation id (<company>/<id>)");
            }
        });
        return id;
    }

    private static Command Report(Shell shell)
    {
        var company = CompanyCommands.OwnCompany();
        var unit = Opt.Text("--unit", "the company's unit that saw it", "ID", required: true);
        var at = Opt.Point("--at", "where it was seen", required: true);
        var category = Opt.Text("--category", "what it is about: suspicious-person, suspicious-vehicle, fire-or-smoke, ... (coord capabilities lists them)", "C", required: true);
        var text = Opt.Text("--text", $"what was seen, at most {ObservationRules.MaxTextLength} characters", "TEXT", required: true);
        var seen = Opt.Moment("--seen", "when it was seen: a time (18:05, 2026-05-17T18:05) or how long ago (10m); default now");
        var urgent = Opt.Flag("--urgent", "the police are needed now: it goes to the top of the queue (it is not an emergency call: immediate danger is 112)");
        var bulletin = Opt.Text("--bulletin", "the bulletin it answers, <district>.<id>: it goes to the district that issued it", "ID");
        var incident = Opt.Text("--incident", "the open incident it is about: it goes onto its district's queue", "ID");
        var photos = new Option<string[]>("--photo")
        {
            Description = $"a photo to send (JPEG, PNG or WebP, at most 1 MiB); repeat it for more, up to {ObservationRules.MaxPhotos}",
            HelpName = "FILE",
            DefaultValueFactory = _ => [],
        };
        photos.Validators.Add(result =>
        {
            if (result.Tokens.Count > ObservationRules.MaxPhotos)
            {
                result.AddError($"--photo: {result.Tokens.Count} photos; the limit is {ObservationRules.MaxPhotos}");
            }
        });
        var id = Opt.Text("--id", "the observation's id, chosen by the company so a retry reports it once (default: a new one; the first line printed gives it and --seen to a retry)", "ID");
        var command = new Command("report", "reports what a unit saw to the police (company); not an emergency call")
        {
            company, unit, at, category, text, seen, urgent, bulletin, incident, photos, id,
        };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            // Read before anything is sent: a file that cannot be read or is too big ends the command here.
            var uploads = new List<PhotoUpload>();
            foreach (var file in parsed.GetValue(photos) ?? [])
            {
                uploads.Add(new PhotoUpload { ContentType = "", Data = ByteString.CopyFrom(await ReadPhotoAsync(file)) });
            }

            // A retry is the same report: the same id and the same moment, which "now" or "10m" (ago) would
            // not be the next time, so both are printed before anything is sent. Whole seconds, as printed.
            var observationId = parsed.GetValue(id) ?? $"obs-{Guid.NewGuid():N}"[..16];
            var now = DateTimeOffset.UtcNow;
            var seenAt = parsed.GetValue(seen) is { } moment ? moment.Before(now) : now;
            seenAt = seenAt.AddTicks(-(seenAt.Ticks % TimeSpan.TicksPerSecond)).ToLocalTime();
            var seenText = seenAt.ToString(Lines.DateAndTime, CultureInfo.InvariantCulture);
            await shell.Output.WriteLineAsync($"observation {observationId} seen {seenText}; a retry gives --id {observationId} --seen {seenText}");

            ReportObservationResponse reported;
            try
            {
                reported = await api.Observations.ReportObservationAsync(new ReportObservationRequest
                {
                    CompanyId = parsed.GetValue(company) ?? "",
                    ObservationId = observationId,
                    UnitId = parsed.GetRequiredValue(unit)!,
                    SeenAt = Timestamp.FromDateTimeOffset(seenAt),
                    Position = parsed.GetRequiredValue(at),
                    Category = parsed.GetRequiredValue(category)!,
                    Text = parsed.GetRequiredValue(text)!,
                    NeedsPoliceNow = parsed.GetValue(urgent),
                    AnswersBulletinId = parsed.GetValue(bulletin) ?? "",
                    IncidentId = parsed.GetValue(incident) ?? "",
                    Photos = { uploads },
                });
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                throw new RpcException(new Status(e.StatusCode, $"{e.Status.Detail} (a retry sends the same report: its options as before, --seen as the first attempt printed)", e.Status.DebugException), e.Trailers);
            }

            await Lines.WriteObservationAsync(shell.Output, reported.Observation, DateTimeOffset.UtcNow);

            // Always, whatever the server sent: danger to life is a call, not a report.
            await shell.Output.WriteLineAsync(reported.EmergencyNotice.Length > 0 ? reported.EmergencyNotice : ObservationRules.EmergencyNotice);
        });
    }

    private static Command List(Shell shell)
    {
        var district = Opt.Text("--district", "the police district whose queue it is", "ID", required: true);
        var closed = Opt.Flag("--closed", "the last 200 actioned or dismissed too, after the open ones, newest first");
        var command = new Command("list", "a district's queue: open observations, the urgent first, then the longest waiting (police)") { district, closed };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var listed = await api.Observations.ListObservationsAsync(new ListObservationsRequest
            {
                DistrictId = parsed.GetRequiredValue(district)!,
                IncludeClosed = parsed.GetValue(closed),
            });
            var now = DateTimeOffset.UtcNow;
            foreach (var o in listed.Observations)
            {
                await shell.Output.WriteLineAsync(Lines.Observation(o, now));
            }
        });
    }

    private static Command Show(Shell shell)
    {
        var id = ObservationId();
        var command = new Command("show", "one observation: where and when, its text, each triage step and each photo's hash (police of its district, the reporting company)") { id };
        return shell.Calling(command, async (parsed, api, _) =>
            await Lines.WriteObservationAsync(shell.Output, await api.Observations.GetObservationAsync(new GetObservationRequest { ObservationId = parsed.GetRequiredValue(id) }), DateTimeOffset.UtcNow));
    }

    private static Command Triage(Shell shell)
    {
        const string choices = "seen|actioned|dismissed";
        var id = ObservationId();
        var stage = Opt.Keyword<ObservationStage>("--stage", "the step: seen (read), actioned or dismissed (both close it)", choices, required: true);
        stage.Validators.Add(result =>
        {
            // New is where an observation starts, not a step the police take.
            if (result.Tokens.Count > 0 && string.Equals(result.Tokens[^1].Value.Replace("-", "", StringComparison.Ordinal), "new", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"--stage: '{result.Tokens[^1].Value}' is not one of {choices}");
            }
        });
        var message = Opt.Text("--message", $"to the reporting company, at most {ObservationRules.MaxMessageLength} characters", "TEXT");
        var command = new Command("triage", "moves an observation on, with a message back to the company that reported it (police)") { id, stage, message };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var triaged = await api.Observations.TriageObservationAsync(new TriageObservationRequest
            {
                ObservationId = parsed.GetRequiredValue(id),
                Stage = parsed.GetValue(stage) ?? ObservationStage.Unspecified,
                Message = parsed.GetValue(message) ?? "",
            });
            await Lines.WriteObservationAsync(shell.Output, triaged, DateTimeOffset.UtcNow);
        });
    }

    private static Command Attach(Shell shell)
    {
        var id = ObservationId();
        var incident = Opt.Text("--incident", "an open incident of the observation's district, <district>.<id>", "ID");
        var open = Opt.Text("--open", "or a new incident opened from it at its position: the caller's id for it, so a retry opens it once", "REQUEST-ID");
        var title = Opt.Text("--title", "with --open: what happened", "TEXT");
        var priority = Opt.Keyword<Priority>("--priority", "with --open: how urgent", "urgent|high|routine", byDefault: Priority.High);
        var command = new Command("attach", "puts an observation on an incident's timeline: an open one, or one opened from it (police)") { id, incident, open, title, priority };
        command.Validators.Add(result =>
        {
            var attaching = Given(result.GetResult(incident));
            var opening = Given(result.GetResult(open));
            if (attaching == opening)
            {
                result.AddError(attaching ? "only one of --incident and --open" : "--incident or --open is required");
            }
            else if (opening && !Given(result.GetResult(title)))
            {
                result.AddError("--open needs --title (what happened)");
            }
            else if (attaching && (Given(result.GetResult(title)) || Given(result.GetResult(priority))))
            {
                result.AddError("--title and --priority are for --open (a new incident); --incident names one that has them");
            }
        });
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var request = new AttachObservationRequest { ObservationId = parsed.GetRequiredValue(id) };
            if (parsed.GetValue(open) is { } requestId)
            {
                // The incident is opened in the observation's district, which the request names (so its audit record names the incident).
                var observation = await api.Observations.GetObservationAsync(new GetObservationRequest { ObservationId = request.ObservationId });
                request.OpenIncident = new OpenIncidentFromObservation
                {
                    DistrictId = observation.DistrictId,
                    RequestId = requestId,
                    Title = parsed.GetRequiredValue(title)!,
                    Priority = parsed.GetValue(priority) ?? Priority.High,
                };
            }
            else
            {
                request.IncidentId = parsed.GetRequiredValue(incident)!;
            }

            await Lines.WriteObservationAsync(shell.Output, await api.Observations.AttachObservationAsync(request), DateTimeOffset.UtcNow);
        });
    }

    private static Command Photo(Shell shell)
    {
        var id = ObservationId();
        var index = Opt.WholeNumber("--index", "which photo, from 0", byDefault: 0);
        var file = Opt.Text("--out", "the file to write the photo's bytes to", "FILE", required: true);
        var command = new Command("photo", "writes one of an observation's photos to a file, with its size and SHA-256; the read is audited (police of its district)") { id, index, file };
        return shell.Calling(command, async (parsed, api, _) =>
        {
            var photo = await api.Observations.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = parsed.GetRequiredValue(id), Index = parsed.GetValue(index) });
            var bytes = photo.Data.ToByteArray();
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (!string.Equals(sha256, photo.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                // Nothing is written that is not what was stored.
                throw new RpcException(new Status(StatusCode.DataLoss, $"photo {photo.Index} of {photo.ObservationId}: the bytes received hash to {sha256}, the stored photo to {photo.Sha256}; nothing written"));
            }

            var path = parsed.GetRequiredValue(file)!;
            try
            {
                await File.WriteAllBytesAsync(path, bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Shell turns this into one line and exit code 2: the file named cannot be written.
                throw new ArgumentException($"--out: {e.Message}", e);
            }

            await shell.Output.WriteLineAsync($"{photo.ObservationId} photo {photo.Index}: {photo.ContentType}, {bytes.Length} bytes, sha256 {sha256}, written to {path}");
        });
    }

    private static Command Watch(Shell shell)
    {
        var district = Opt.Text("--district", "the police district whose queue to watch", "ID", required: true);
        var (after, seconds) = StreamOptions("every open observation");
        var command = new Command("watch", "a district's queue as it changes, each line with its sequence number to resume from (police)") { district, after, seconds };
        return shell.Calling(command, async (parsed, api, stop) =>
        {
            using var stopping = Bounded(parsed.GetValue(seconds), stop);
            var districtId = parsed.GetRequiredValue(district)!;
            await EventStream.RunAsync(
                api,
                (from, token) => api.Observations.WatchObservationQueue(new WatchObservationQueueRequest { DistrictId = districtId, AfterSequence = from }, cancellationToken: token),
                Printed,
                "every open observation",
                parsed.GetValue(after),
                shell.Output,
                shell.Error,
                stopping.Token);
        });
    }

    private static Command Feedback(Shell shell)
    {
        var company = CompanyCommands.OwnCompany();
        var (after, seconds) = StreamOptions("the company's open observations");
        var command = new Command("feedback", "the police's answers to the company's observations as they come, each line with its sequence number to resume from (company)") { company, after, seconds };
        return shell.Calling(command, async (parsed, api, stop) =>
        {
            using var stopping = Bounded(parsed.GetValue(seconds), stop);
            var companyId = parsed.GetValue(company) ?? "";
            await EventStream.RunAsync(
                api,
                (from, token) => api.Observations.WatchObservationFeedback(new WatchObservationFeedbackRequest { CompanyId = companyId, AfterSequence = from }, cancellationToken: token),
                Printed,
                "the company's open observations",
                parsed.GetValue(after),
                shell.Output,
                shell.Error,
                stopping.Token);
        });
    }

    private static (Option<long> After, Option<double?> Seconds) StreamOptions(string first) =>
        (Opt.Sequence("--after", $"the last sequence number received: go on from there without repeats (0: {first} first)"),
         Opt.Number("--seconds", "stop after this long (default: until Ctrl+C or kill)", helpName: "N"));

    /// <summary>Ends with <paramref name="stop"/> (Ctrl+C, kill) or after --seconds, whichever comes first.</summary>
    private static CancellationTokenSource Bounded(double? seconds, CancellationToken stop)
    {
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (seconds is { } limit)
        {
            stopping.CancelAfter(TimeSpan.FromSeconds(limit));
        }

        return stopping;
    }

    private static EventStream.Printed Printed(ObservationEvent e) => new(e.Sequence, e.Restarted, Lines.ObservationEvent(e, DateTimeOffset.UtcNow));

    /// <summary>A photo file's bytes; one that cannot be read, or is over the limit, is the command line's error (exit code 2, nothing sent).</summary>
    private static async Task<byte[]> ReadPhotoAsync(string path)
    {
        try
        {
            var size = new FileInfo(path).Length;
            if (size > ObservationRules.MaxPhotoBytes)
            {
                throw new ArgumentException($"--photo: {path} is {size} bytes; the limit is {ObservationRules.MaxPhotoBytes} (1 MiB)");
            }

            return await File.ReadAllBytesAsync(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--photo: {e.Message}", e);
        }
    }
}
