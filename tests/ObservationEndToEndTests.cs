using System.Security.Cryptography;
using Coordination.Api.V1;
using Grpc.Core.Interceptors;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.BulletinBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>A guard's observation over gRPC, from the company's report to the police's queue, triage, feedback and incident.</summary>
[Collection(NodeCollection.Name)]
public sealed class ObservationEndToEndTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_sighting_for_an_amber_bulletin_reaches_the_issuing_districts_queue_is_triaged_with_feedback_and_goes_onto_an_incident()
    {
        var company = Ids.Company("sight");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("s1", 2, "oslo", 59.9111, 10.7528, "patrol")));

        // Troms police ask named companies to look out for a vehicle; the company's unit sees it in Oslo.
        var bulletins = new BulletinService.BulletinServiceClient(Node.Channel.Intercept(TestTokens.Bearer(Node.Tokens.Police("troms"))));
        var request = WantedVehicle($"{Guid.NewGuid():N}"[..12], Tlp.Amber, district: "troms", centre: Tromso);
        request.Audience = new BulletinAudience { Kind = BulletinAudienceKind.NamedCompanies, Companies = { company } };
        var bulletin = await bulletins.IssueBulletinAsync(request);

        var police = Node.Observations(Node.Tokens.Police("troms"));
        var guards = Node.Observations(Node.Tokens.Company(company));
        using var queue = police.WatchObservationQueue(new WatchObservationQueueRequest { DistrictId = "troms" });
        using var feedback = guards.WatchObservationFeedback(new WatchObservationFeedbackRequest());

        var photo = Jpeg(200 * 1024);
        var sighting = Sighting("s1", 59.9115, 10.7530, "Grey Volvo V70 AB 12345 heading east on Schweigaards gate", photo);
        sighting.Category = "bulletin-sighting";
        sighting.AnswersBulletinId = bulletin.Id;
        var reported = await guards.ReportObservationAsync(sighting);
        var id = reported.Observation.Id;
        Assert.Equal($"{company}/{sighting.ObservationId}", id);
        Assert.Contains("112", reported.EmergencyNotice);
        Assert.Equal(("troms", ObservationRouting.Bulletin, ObservationStage.New), (reported.Observation.DistrictId, reported.Observation.RoutedBy, reported.Observation.Stage));
        var photoHash = Convert.ToHexStringLower(SHA256.HashData(photo));
        Assert.Equal((photoHash, "image/jpeg", photo.LongLength), (reported.Observation.Photos.Single().Sha256, reported.Observation.Photos.Single().ContentType, reported.Observation.Photos.Single().SizeBytes));

        // It arrives on the issuing district's queue stream as it happens (the delay is a benchmark figure).
        var arrived = await NextAbout(queue, id);
        Assert.Equal((ObservationEvent.Types.Kind.Reported, sighting.Text), (arrived.Kind, arrived.Observation.Text));

        // Seen, then actioned with a message back, which the company receives on its stream.
        await police.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.Seen });
        var actioned = await police.TriageObservationAsync(new TriageObservationRequest { ObservationId = id, Stage = ObservationStage.Actioned, Message = "Patrol sent to Schweigaards gate. Thank you." });
        Assert.Equal([ObservationStage.Seen, ObservationStage.Actioned], actioned.Steps.Select(s => s.Stage));
        Assert.Equal("police:troms", actioned.Steps[1].Actor);

        var told = new List<ObservationEvent>();
        while (told.Count == 0 || told[^1].Observation.Stage != ObservationStage.Actioned)
        {
            told.Add(await NextAbout(feedback, id));
        }

        Assert.Equal([ObservationStage.New, ObservationStage.Seen, ObservationStage.Actioned], told.Select(e => e.Observation.Stage));
        Assert.Equal("Patrol sent to Schweigaards gate. Thank you.", told[^1].Observation.Steps[^1].Message);
        Assert.Equal(told.Select(e => e.Sequence).Order(), told.Select(e => e.Sequence));

        // Onto an incident's timeline.
        var incident = await Node.PoliceWith(Node.Tokens.Police("troms")).OpenIncidentAsync(Incident("troms", $"inc-{Guid.NewGuid():N}"[..16]));
        var attached = await police.AttachObservationAsync(new AttachObservationRequest { ObservationId = id, IncidentId = incident.IncidentId });
        Assert.Equal(incident.IncidentId, attached.IncidentId);
        var timeline = (await Node.PoliceWith(Node.Tokens.Police("troms")).GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId })).Timeline;
        var onTimeline = Assert.Single(timeline, e => e.Kind == TimelineKind.Observation);
        Assert.Equal((id, company, "police:troms"), (onTimeline.ObservationId, onTimeline.CompanyId, onTimeline.Actor));

        // The photo reads back byte for byte, and its hash is in the audit chain.
        var read = await police.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = id, Index = 0 });
        Assert.Equal(photo, read.Data.ToByteArray());
        Assert.Equal(photoHash, read.Sha256);
        var stored = new StoredRows(Node.DataDirectory);
        Assert.True(stored.AuditContains($"photo 0 sha256 {photoHash}"), "the photo's hash is not in the audit log");
        var (code, output) = await stored.VerifyAudit();
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task An_incident_opened_from_an_observation_has_it_on_its_timeline_at_its_position_and_the_queue_keeps_urgent_ones_first()
    {
        var company = Ids.Company("open");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("o1", 2, "finnmark", 69.9689, 23.2716, "patrol")));
        var guards = Node.Observations(Node.Tokens.Company(company));
        var police = Node.Observations(Node.Tokens.Police("finnmark"));

        // In Alta: routed by its position. The urgent one, reported second, is first in the queue.
        var routine = await guards.ReportObservationAsync(Sighting("o1", 69.9689, 23.2716));
        var urgentRequest = Sighting("o1", 69.9700, 23.2800, "Smoke from the roof of the school");
        urgentRequest.Category = "fire-or-smoke";
        urgentRequest.NeedsPoliceNow = true;
        var urgent = await guards.ReportObservationAsync(urgentRequest);
        Assert.Equal((ObservationRouting.Position, "finnmark"), (routine.Observation.RoutedBy, routine.Observation.DistrictId));
        var queue = (await police.ListObservationsAsync(new ListObservationsRequest { DistrictId = "finnmark" })).Observations.Select(o => o.Id).ToList();
        Assert.True(queue.IndexOf(urgent.Observation.Id) < queue.IndexOf(routine.Observation.Id), string.Join(", ", queue));

        var requestId = $"fromobs-{Guid.NewGuid():N}"[..20];
        var open = new AttachObservationRequest
        {
            ObservationId = urgent.Observation.Id,
            OpenIncident = new OpenIncidentFromObservation { DistrictId = "finnmark", RequestId = requestId, Title = "Fire at Alta school", Priority = Priority.Urgent },
        };
        var attached = await police.AttachObservationAsync(open);
        Assert.Equal($"finnmark.{requestId}", attached.IncidentId);

        // A retry changes nothing; another incident is refused.
        Assert.Equal(attached.Version, (await police.AttachObservationAsync(open)).Version);
        var other = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => police.AttachObservationAsync(new AttachObservationRequest { ObservationId = urgent.Observation.Id, IncidentId = "finnmark.elsewhere" }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, other.StatusCode);

        var incident = await Node.PoliceWith(Node.Tokens.Police("finnmark")).GetIncidentAsync(new GetIncidentRequest { IncidentId = attached.IncidentId });
        Assert.Equal(("Fire at Alta school", 69.9700, 23.2800), (incident.Title, incident.Location.Latitude, incident.Location.Longitude));
        Assert.Equal([TimelineKind.Opened, TimelineKind.Observation], incident.Timeline.Select(e => e.Kind));

        // Closed ones leave the queue's open part and are listed after it.
        await police.TriageObservationAsync(new TriageObservationRequest { ObservationId = routine.Observation.Id, Stage = ObservationStage.Dismissed, Message = "Known vehicle" });
        var back = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => police.TriageObservationAsync(new TriageObservationRequest { ObservationId = routine.Observation.Id, Stage = ObservationStage.Seen }).ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, back.StatusCode);
        var openNow = (await police.ListObservationsAsync(new ListObservationsRequest { DistrictId = "finnmark" })).Observations.Select(o => o.Id);
        Assert.DoesNotContain(routine.Observation.Id, openNow);
        var all = (await police.ListObservationsAsync(new ListObservationsRequest { DistrictId = "finnmark", IncludeClosed = true })).Observations.Select(o => o.Id);
        Assert.Contains(routine.Observation.Id, all);
    }

    /// <summary>The next event about this observation (the shared node's other tests may report in the same district).</summary>
    private static async Task<ObservationEvent> NextAbout(Grpc.Core.AsyncServerStreamingCall<ObservationEvent> stream, string id)
    {
        while (true)
        {
            var e = await Next(stream);
            if (e.Observation.Id == id)
            {
                return e;
            }
        }
    }
}
