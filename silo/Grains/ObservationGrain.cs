using System.Security.Cryptography;
using System.Text.Json;
using Coordination.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// One guard observation: where it was routed, its triage, the feedback owed to its company, its
/// incident, and the erasure of its text and photos. Reporting is a resumable command: the district's
/// queue expects it first (so it is woken after a crash), the photos are stored, the observation
/// stores itself (its intent: everything it still owes follows from its state), and then it reaches
/// the company's feed, its incident and the queue. Whatever a crash or a failed call leaves owed is
/// finished by the observation's timer, its queue's wake-up or a retry.
/// Its parts: this file (commands and reads) and <c>.Delivery</c> (what it owes, and the clock).
/// </summary>
internal sealed partial class ObservationGrain(
    [PersistentState("observation", StorageNames.Grains)] IPersistentState<StoredObservation> state,
    TimeProvider time,
    IOptions<ObservationOptions> options,
    ILogger<ObservationGrain> logger) : Grain, IObservationGrain
{
    private StoredObservation S => state.State;

    private string ObservationId => this.GetPrimaryKeyString();

    private DateTimeOffset Now => time.GetUtcNow();

    // A report is being made by this activation: a wake-up meanwhile must not take it for one never made.
    private bool _reporting;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Report is not null && Owes)
        {
            Timer.Now();
        }

        return Task.CompletedTask;
    }

    public async Task<ObservationView> Report(ReportObservation command)
    {
        var hash = CommandHash(command);
        if (S.Report is not null)
        {
            if (S.CommandHash != hash)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"observation '{ObservationId}' was reported with different content; choose a new observation_id", "observation_id");
            }

            // A retry: finish what the first attempt started, then answer as it would have.
            await Finish();
            return Answer();
        }

        if (ObservationIds.Of(command.CompanyId, command.ObservationId) != ObservationId)
        {
            throw CoordinationException.Invalid("observation_id", $"does not name this observation ('{ObservationId}')");
        }

        // Who reported it is who called, as the silo knows the caller, not what the command says.
        if (RequestContext.Get(CallerContext.CallerKey) is Caller caller)
        {
            command = command with { Actor = caller.Actor };
        }

        var now = Now;
        var photos = ObservationRules.Check(command, now);
        await CheckUnit(command);
        var (district, routedBy) = await Route(command);

        _reporting = true;
        try
        {
            // Expected by its queue before anything is stored, so a crash from here on leaves an observation (or
            // orphaned photos) that is woken; listed on its day, whose retention sweep erases it if nothing else does.
            var day = DateOnly.FromDateTime(now.UtcDateTime);
            await Queue(district).Expect(ObservationId, day);
            await GrainFactory.Reference<IObservationDayGrain>(ObservationDayGrain.Key(district, day)).Add(ObservationId);
            await Task.WhenAll(photos.Select(p => PhotoGrain(p.Index).Store(p, command.Photos[p.Index].Data)));

            S.Report = command with { Photos = [] };
            S.CommandHash = hash;
            S.ReportedAt = now;
            S.District = district;
            S.RoutedBy = routedBy;
            S.Photos = [.. photos];
            S.ContentSha256 = ObservationRules.ContentSha256(command.Text);
            S.IncidentId = command.IncidentId;
            S.IncidentPending = command.IncidentId is not null;
            S.AttachedBy = command.IncidentId is null ? null : command.Actor;
            S.Version = 1;
            await state.WriteStateAsync();
        }
        finally
        {
            _reporting = false;
        }

        await Finish();
        return Answer();
    }

    public Task<ObservationView> Get() => Task.FromResult(Answer());

    public async Task<ObservationView> Triage(ObservationStage stage, string? message)
    {
        var actor = PoliceOfDistrict("triage it");
        message = ObservationRules.CheckMessage(message);
        if (message is not null && S.TextErasedAt is { } erased)
        {
            throw new CoordinationException(ErrorKind.FailedPrecondition, $"the observation's text was erased on {erased:u} (retention of personal data); a message can no longer go with it", "message");
        }

        var last = S.Steps.LastOrDefault(s => s.Stage == S.Stage)?.Message;
        if (ObservationRules.Moves(S.Stage, stage, message, last))
        {
            // Listed to wake first: the step is owed to the company and the queue once it is stored.
            await Queue(S.District).Expect(ObservationId, null);
            S.Stage = stage;
            S.Steps.Add(new TriageStep(stage, Now, actor, message));
            S.Version++;
            await state.WriteStateAsync();
        }

        await Finish();
        return Answer();
    }

    public async Task<ObservationView> Attach(string? incidentId, IncidentFromObservation? open)
    {
        var actor = PoliceOfDistrict("attach it to an incident");
        if ((incidentId is null) == (open is null))
        {
            throw CoordinationException.Invalid("incident_id", "give either incident_id (an open incident) or open_incident (to open one from it)");
        }

        if (open is not null && open.District != S.District)
        {
            throw new CoordinationException(ErrorKind.FailedPrecondition, $"the observation is {S.District}'s; an incident opened from it is too", "open_incident.district_id");
        }

        var target = incidentId ?? IncidentIds.Of(S.District, Validate.Id(open!.RequestId, "open_incident.request_id"));
        if (S.IncidentId is { } current)
        {
            if (current != target)
            {
                throw CoordinationException.Precondition($"the observation is already on incident {current}");
            }

            await Finish();
            return Answer();
        }

        if (open is not null)
        {
            Validate.RequiredText(open.Title, "open_incident.title");
            if (!Enum.IsDefined(open.Priority))
            {
                throw CoordinationException.Invalid("open_incident.priority", "is required (URGENT, HIGH or ROUTINE)");
            }

            if (await Incident(target) is not null)
            {
                throw new CoordinationException(ErrorKind.FailedPrecondition, $"incident {target} already exists; attach the observation to it with incident_id", "open_incident.request_id");
            }
        }
        else
        {
            var incident = await OpenIncidentOf(target, "incident_id");
            if (incident.District != S.District)
            {
                throw CoordinationException.Precondition($"incident_id: {target} is an incident of {incident.District}; the observation is {S.District}'s");
            }
        }

        // Listed to wake first: the link is owed to the incident once the intent is stored.
        await Queue(S.District).Expect(ObservationId, null);
        S.IncidentId = target;
        S.IncidentPending = true;
        S.OpenIncident = open;
        S.AttachedBy = actor;
        S.Version++;
        await state.WriteStateAsync();

        _incidentRefusal = null;
        await Finish();
        return _incidentRefusal is { } refusal ? throw refusal : Answer();
    }

    // Why the incident refused the link this call stored, for the caller; the link is dropped for good.
    private CoordinationException? _incidentRefusal;

    public async Task<ObservationPhotoBytes> Photo(int index)
    {
        var view = Answer();
        if (RequestContext.Get(CallerContext.CallerKey) is Caller caller && !view.PhotosReadableBy(caller))
        {
            throw CoordinationException.Denied($"the photos of observation '{ObservationId}' are for the police of {S.District} ({caller.Actor})");
        }

        if (index < 0 || index >= S.Photos.Length)
        {
            throw CoordinationException.NotFound($"observation '{ObservationId}' has {S.Photos.Length} photo(s); there is no photo {index}");
        }

        if (S.TextErasedAt is not null || Now >= EraseAt)
        {
            throw CoordinationException.Precondition($"the photos of observation '{ObservationId}' were erased (retention of personal data, {options.Value.RetainTextFor.TotalDays:0.##} days); their hashes remain");
        }

        return await PhotoGrain(index).Read();
    }

    /// <summary>The observation as the caller of this call may see it; everything for calls from grains.</summary>
    private ObservationView Answer()
    {
        if (S.Report is null)
        {
            throw CoordinationException.NotFound($"no observation '{ObservationId}'");
        }

        var view = View();
        if (RequestContext.Get(CallerContext.CallerKey) is Caller caller && !view.ReadableBy(caller))
        {
            throw CoordinationException.Denied($"observation '{ObservationId}' is for the police of {S.District} and the company that reported it, not for {caller.Actor}");
        }

        return view;
    }

    private ObservationView View()
    {
        var r = S.Report!;
        var view = new ObservationView(
            ObservationId, r.CompanyId, r.UnitId, r.SeenAt, S.ReportedAt, r.Position!.Value, r.Category, r.Text, r.NeedsPoliceNow,
            r.AnswersBulletinId, S.IncidentId, S.District, S.RoutedBy, S.Stage, [.. S.Steps], S.Photos, S.TextErasedAt, S.ContentSha256, S.Version, r.Actor);
        if (S.TextErasedAt is null && Now >= EraseAt)
        {
            // Due and not yet erased (an idle activation; the erasure is on its way): the text is not shown past its time.
            Timer.Now();
            return view with { Text = "", Steps = [.. S.Steps.Select(s => s with { Message = null })] };
        }

        return view;
    }

    /// <summary>Only the police of the district it was routed to move it on; returns who they are, for its steps.</summary>
    private string PoliceOfDistrict(string what)
    {
        _ = Answer();
        if (RequestContext.Get(CallerContext.CallerKey) is not Caller caller)
        {
            return "system";
        }

        return caller.Role == CallerRole.Police && caller.Covers(S.District)
            ? caller.Actor
            : throw CoordinationException.Denied($"only the police of {S.District} may {what} ({caller.Actor})");
    }

    private async Task CheckUnit(ReportObservation r)
    {
        if (await GrainFactory.Reference<IGuardUnitGrain>(UnitKey.Of(r.CompanyId, r.UnitId)).Get() is null)
        {
            throw CoordinationException.Invalid("unit_id", $"company '{r.CompanyId}' has no unit '{r.UnitId}'");
        }
    }

    /// <summary>
    /// Where it goes (README, "Observations"): the incident it names, else the district that issued the
    /// bulletin it answers (which must have been addressed to the company), else the district its position lies in.
    /// </summary>
    private async Task<(string District, ObservationRouting By)> Route(ReportObservation r)
    {
        if (r.AnswersBulletinId is { } bulletinId)
        {
            try
            {
                // Read as the company: one it may not read (not addressed to it) is refused here too.
                await GrainFactory.Reference<IBulletinGrain>(bulletinId).Get();
            }
            catch (CoordinationException e) when (e.Code == ErrorKind.NotFound)
            {
                throw CoordinationException.NotFound($"answers_bulletin_id: no bulletin '{bulletinId}'");
            }
        }

        if (r.IncidentId is { } incidentId)
        {
            var incident = await Incident(incidentId) ?? throw CoordinationException.NotFound($"incident_id: no incident '{incidentId}'");

            // A company writes onto the timeline of an incident it has a part in (an offer or a unit there), and
            // learns nothing of the others, not even that they exist.
            if (!incident.Requests.Any(q => q.Offers.Any(o => o.CompanyId == r.CompanyId) || q.Assignments.Any(a => a.CompanyId == r.CompanyId)))
            {
                throw CoordinationException.NotFound($"incident_id: company '{r.CompanyId}' has no part in an incident '{incidentId}'");
            }

            return incident.Status == IncidentStatus.Open
                ? (incident.District, ObservationRouting.Incident)
                : throw CoordinationException.Precondition($"incident_id: incident {incidentId} is closed");
        }

        if (r.AnswersBulletinId is { } answered)
        {
            return (BulletinIds.District(answered), ObservationRouting.Bulletin);
        }

        var route = DistrictRouting.Current.Route(r.Position!.Value);
        return route.DistrictId is { } district
            ? (district, ObservationRouting.Position)
            : throw CoordinationException.Invalid("position", Refused(route, r.Position.Value));
    }

    private static string Refused(DistrictRoute route, GeoPoint p)
    {
        var where = $"({p.Latitude:0.####}, {p.Longitude:0.####})";
        return route.Refusal switch
        {
            RouteRefusal.Svalbard => $"{where} is on Svalbard or Jan Mayen, outside the 12 police districts (the Governor of Svalbard is the police there): report it by phone",
            RouteRefusal.Abroad => $"{where} is outside Norway; a sighting abroad reaches the police only as an answer to a bulletin (answers_bulletin_id) or about an incident (incident_id)",
            _ => $"{where} is at sea, more than {DistrictRouting.CoastalWatersKm:0} km from Norway's coast; a sighting there reaches the police only as an answer to a bulletin or about an incident",
        };
    }

    private async Task<IncidentView> OpenIncidentOf(string incidentId, string field)
    {
        var incident = await Incident(incidentId) ?? throw CoordinationException.NotFound($"{field}: no incident '{incidentId}'");
        return incident.Status == IncidentStatus.Open
            ? incident
            : throw CoordinationException.Precondition($"{field}: incident {incidentId} is closed");
    }

    private async Task<IncidentView?> Incident(string incidentId)
    {
        try
        {
            return await GrainFactory.Reference<IIncidentGrain>(incidentId).Get();
        }
        catch (CoordinationException e) when (e.Code == ErrorKind.NotFound)
        {
            return null;
        }
    }

    private IObservationQueueGrain Queue(string district) => GrainFactory.Reference<IObservationQueueGrain>(district);

    private IObservationPhotoGrain PhotoGrain(int index) => GrainFactory.Reference<IObservationPhotoGrain>(ObservationIds.Photo(ObservationId, index));

    // The report as sent, less who sent it: the same report retried by another session of the company is still a retry.
    // The photos enter by their type and their bytes' own hash, not as JSON text (a megabyte of base64 per photo).
    private static string CommandHash(ReportObservation command)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(command with { Actor = "", Photos = [] }, HashForm));
        foreach (var photo in command.Photos)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(photo.ContentType));
            hash.AppendData(SHA256.HashData(photo.Data));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static readonly JsonSerializerOptions HashForm = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
