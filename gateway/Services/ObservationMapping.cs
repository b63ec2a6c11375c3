using Coordination.Domain;
using Google.Protobuf;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Observations, proto ↔ domain. The proto enums carry the domain's numbers (UNSPECIFIED is 0, which no domain value uses).</summary>
internal static class ObservationMapping
{
    public static ReportObservation ToDomain(this Proto.ReportObservationRequest r, string companyId, string actor) => new(
        companyId,
        r.ObservationId,
        r.UnitId,
        r.SeenAt?.ToDomain("seen_at") ?? default,
        r.Position.ToDomain(),
        r.Category,
        r.Text,
        r.NeedsPoliceNow,
        r.AnswersBulletinId.OrNull(),
        r.IncidentId.OrNull(),
        [.. r.Photos.Select(p => new PhotoUpload(p.ContentType, p.Data.ToByteArray()))],
        actor);

    public static IncidentFromObservation? ToDomain(this Proto.OpenIncidentFromObservation? open) => open is null
        ? null
        : new(open.RequestId, open.Title, open.Priority.ToDomain("open_incident.priority"), Validate.District(open.DistrictId, "open_incident.district_id"));

    public static Proto.Observation ToApi(this ObservationView v) => new()
    {
        Id = v.Id,
        CompanyId = v.CompanyId,
        UnitId = v.UnitId,
        SeenAt = v.SeenAt.ToApi(),
        ReportedAt = v.ReportedAt.ToApi(),
        Position = ((GeoPoint?)v.Position).ToApi(),
        Category = v.Category,
        Text = v.Text,
        NeedsPoliceNow = v.NeedsPoliceNow,
        AnswersBulletinId = v.AnswersBulletinId ?? "",
        IncidentId = v.IncidentId ?? "",
        DistrictId = v.District,
        RoutedBy = (Proto.ObservationRouting)(int)v.RoutedBy,
        Stage = (Proto.ObservationStage)(int)v.Stage,
        Steps = { v.Steps.Select(s => new Proto.TriageStep { Stage = (Proto.ObservationStage)(int)s.Stage, At = s.At.ToApi(), Actor = s.Actor, Message = s.Message ?? "" }) },
        Photos = { v.Photos.Select(p => new Proto.PhotoInfo { Index = p.Index, ContentType = p.ContentType, SizeBytes = p.SizeBytes, Sha256 = p.Sha256 }) },
        TextErasedAt = v.TextErasedAt?.ToApi(),
        ContentSha256 = v.ContentSha256,
        Version = v.Version,
        ReportedBy = v.ReportedBy,
    };

    /// <summary>A dashboard's line (who may see it, and its id, is decided by <see cref="ObservationLine.ShownTo"/> before this).</summary>
    public static Proto.ObservationLine ToApi(this ObservationLine l, bool withId) => new()
    {
        ObservationId = withId ? l.Id : "",
        Category = l.Category,
        CategoryName = ReferenceData.Current.ObservationCategoryName(l.Category),
        Position = ((GeoPoint?)l.Position).ToApi(),
        ReportedAt = l.ReportedAt.ToApi(),
        SeenAt = l.SeenAt.ToApi(),
        NeedsPoliceNow = l.NeedsPoliceNow,
        Stage = (Proto.ObservationStage)(int)l.Stage,
    };

    public static Proto.ObservationEvent ToApi(this ObservationFeedEvent e, ObservationView observation, bool restarted) => new()
    {
        Sequence = e.Sequence,
        Kind = (Proto.ObservationEvent.Types.Kind)(int)e.Kind,
        Observation = observation.ToApi(),
        Restarted = restarted,
    };

    public static Proto.ObservationPhoto ToApi(this ObservationPhotoBytes photo, string observationId) => new()
    {
        ObservationId = observationId,
        Index = photo.Info.Index,
        ContentType = photo.Info.ContentType,
        Sha256 = photo.Info.Sha256,
        Data = ByteString.CopyFrom(photo.Data),
    };
}
