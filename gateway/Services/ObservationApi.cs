using Coordination.Domain;
using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>
/// Observations from the guards to the police: thin, it checks ids and the caller's reach, maps and
/// calls grains. Who may read an observation is decided by the observation, in one place.
/// </summary>
internal sealed class ObservationApi(IGrainFactory grains) : Proto.ObservationService.ObservationServiceBase
{
    public override async Task<Proto.ReportObservationResponse> ReportObservation(Proto.ReportObservationRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var companyId = caller.OwnCompany(request.CompanyId);
        var observationId = Validate.Id(request.ObservationId, "observation_id");
        var command = request.ToDomain(companyId, caller.Actor);

        // Checked here too, so a bad report is answered before its photos cross to the silo.
        ObservationRules.Check(command, DateTimeOffset.UtcNow);
        var observation = await Observation(ObservationIds.Of(companyId, observationId)).Report(command);
        return new Proto.ReportObservationResponse { Observation = observation.ToApi(), EmergencyNotice = ObservationRules.EmergencyNotice };
    }

    public override async Task<Proto.Observation> GetObservation(Proto.GetObservationRequest request, ServerCallContext context) =>
        (await Observation(Validate.ObservationId(request.ObservationId, "observation_id")).Get()).ToApi();

    public override async Task<Proto.ListObservationsResponse> ListObservations(Proto.ListObservationsRequest request, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        context.Caller().PoliceIn(district);
        var ids = await grains.Reference<IObservationQueueGrain>(district).List(request.IncludeClosed);
        var read = await Task.WhenAll(ids.Select(id => Observation(id).Get()));
        return new Proto.ListObservationsResponse { Observations = { read.Select(o => o.ToApi()) } };
    }

    public override async Task WatchObservationQueue(Proto.WatchObservationQueueRequest request, IServerStreamWriter<Proto.ObservationEvent> responseStream, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        context.Caller().PoliceIn(district);
        await using var watch = await ObservationWatch.OnQueueAsync(grains, district, AfterSequence(request.AfterSequence));
        await Stream(watch, responseStream, context);
    }

    public override async Task WatchObservationFeedback(Proto.WatchObservationFeedbackRequest request, IServerStreamWriter<Proto.ObservationEvent> responseStream, ServerCallContext context)
    {
        var companyId = context.Caller().OwnCompany(request.CompanyId);
        await using var watch = await ObservationWatch.OnFeedbackAsync(grains, companyId, AfterSequence(request.AfterSequence));
        await Stream(watch, responseStream, context);
    }

    public override async Task<Proto.Observation> TriageObservation(Proto.TriageObservationRequest request, ServerCallContext context)
    {
        var id = Validate.ObservationId(request.ObservationId, "observation_id");
        var observation = await Observation(id).Triage((ObservationStage)(int)request.Stage, ObservationRules.CheckMessage(request.Message));
        return observation.ToApi();
    }

    public override async Task<Proto.Observation> AttachObservation(Proto.AttachObservationRequest request, ServerCallContext context)
    {
        var id = Validate.ObservationId(request.ObservationId, "observation_id");
        var incidentId = request.IncidentId.Length > 0 ? Validate.IncidentId(request.IncidentId, "incident_id") : null;
        var observation = await Observation(id).Attach(incidentId, request.OpenIncident.ToDomain());
        return observation.ToApi();
    }

    public override async Task<Proto.ObservationPhoto> GetObservationPhoto(Proto.GetObservationPhotoRequest request, ServerCallContext context)
    {
        var id = Validate.ObservationId(request.ObservationId, "observation_id");
        var photo = await Observation(id).Photo(request.Index);
        return photo.ToApi(id);
    }

    private static async Task Stream(ObservationWatch watch, IServerStreamWriter<Proto.ObservationEvent> responseStream, ServerCallContext context)
    {
        await foreach (var e in watch.EventsAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(e, context.CancellationToken);
        }
    }

    internal static long AfterSequence(long value) => value >= 0
        ? value
        : throw CoordinationException.Invalid("after_sequence", "must be 0 (from the start) or a sequence number received");

    private IObservationGrain Observation(string id) => grains.Reference<IObservationGrain>(id);
}
