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
            Arm(TimeSpan.Zero);
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
            // Expected by its queue before anything is stored, so a crash from here on leaves an observation (or orphaned photos) that is woken.
            await Queue(district).Expect(ObservationId);
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
        var last = S.Steps.LastOrDefault(s => s.Stage == S.Stage)?.Message;
        if (ObservationRules.Moves(S.Stage, stage, message, last))
        {
            S.Stage = stage;
            S.Steps.Add(new TriageStep(stage, Now, actor, S.TextErasedAt is null ? message : null));
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
        }
        else
        {
            var incident = await OpenIncidentOf(target, "incident_id");
            if (incident.District != S.District)
            {
                throw CoordinationException.Precondition($"incident_id: {target} is an incident of {incident.District}; the observation is {S.District}'s");
            }
        }

        S.IncidentId = target;
        S.IncidentPending = true;
        S.OpenIncident = open;
        S.AttachedBy = actor;
        S.Version++;
        await state.WriteStateAsync();

        await Finish();
        return Answer();
    }

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

        if (S.TextErasedAt is { } erased)
        {
            throw CoordinationException.Precondition($"the photos of observation '{ObservationId}' were erased on {erased:u} (retention of personal data); their hashes remain");
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
        return new ObservationView(
            ObservationId, r.CompanyId, r.UnitId, r.SeenAt, S.ReportedAt, r.Position!.Value, r.Category, r.Text, r.NeedsPoliceNow,
            r.AnswersBulletinId, S.IncidentId, S.District, S.RoutedBy, S.Stage, [.. S.Steps], S.Photos, S.TextErasedAt, S.ContentSha256, S.Version, r.Actor);
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
        if (await GrainFactory.GetGrain<IGuardUnitGrain>(UnitKey.Of(r.CompanyId, r.UnitId)).Get() is null)
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
        if (r.IncidentId is { } incidentId)
        {
            var incident = await OpenIncidentOf(incidentId, "incident_id");
            return (incident.District, ObservationRouting.Incident);
        }

        if (r.AnswersBulletinId is { } bulletinId)
        {
            try
            {
                // Read as the company: one it may not read (not addressed to it) is refused here too.
                await GrainFactory.GetGrain<IBulletinGrain>(bulletinId).Get();
            }
            catch (CoordinationException e) when (e.Code == ErrorKind.NotFound)
            {
                throw CoordinationException.NotFound($"answers_bulletin_id: no bulletin '{bulletinId}'");
            }

            return (BulletinIds.District(bulletinId), ObservationRouting.Bulletin);
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
        IncidentView incident;
        try
        {
            incident = await GrainFactory.GetGrain<IIncidentGrain>(incidentId).Get();
        }
        catch (CoordinationException e) when (e.Code == ErrorKind.NotFound)
        {
            throw CoordinationException.NotFound($"{field}: no incident '{incidentId}'");
        }

        return incident.Status == IncidentStatus.Open
            ? incident
            : throw CoordinationException.Precondition($"{field}: incident {incidentId} is closed");
    }

    private IObservationQueueGrain Queue(string district) => GrainFactory.GetGrain<IObservationQueueGrain>(district);

    private IObservationPhotoGrain PhotoGrain(int index) => GrainFactory.GetGrain<IObservationPhotoGrain>(ObservationIds.Photo(ObservationId, index));

    // The report as sent, less who sent it: the same report retried by another session of the company is still a retry.
    private static string CommandHash(ReportObservation command) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command with { Actor = "" }, HashForm)));

    private static readonly JsonSerializerOptions HashForm = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
