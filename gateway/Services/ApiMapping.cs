using Coordination.Domain;
using Google.Protobuf.WellKnownTypes;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>Proto ↔ domain. Proto defaults (0, "", unset) are turned into explicit domain meaning here and nowhere else.</summary>
internal static class ApiMapping
{
    public static GeoPoint? ToDomain(this Proto.GeoPoint? point) => point is null ? null : new GeoPoint(point.Latitude, point.Longitude);

    public static Proto.GeoPoint? ToApi(this GeoPoint? point) => point is { } p ? new Proto.GeoPoint { Latitude = p.Latitude, Longitude = p.Longitude } : null;

    public static UnitRegistration ToDomain(this Proto.UnitRegistration unit) =>
        new(unit.UnitId, unit.Headcount, [.. unit.Capabilities], unit.HomeDistrict, unit.Position.ToDomain());

    /// <summary>UNSPECIFIED means "no status in this report" (a heartbeat); an unknown number is a client error.</summary>
    public static UnitStatus? ToDomain(this Proto.UnitStatus status, string field) => status switch
    {
        Proto.UnitStatus.Unspecified => null,
        Proto.UnitStatus.Available => UnitStatus.Available,
        Proto.UnitStatus.Unavailable => UnitStatus.Unavailable,
        Proto.UnitStatus.Committed => UnitStatus.Committed,
        Proto.UnitStatus.EnRoute => UnitStatus.EnRoute,
        Proto.UnitStatus.OnScene => UnitStatus.OnScene,
        Proto.UnitStatus.OutOfService => UnitStatus.OutOfService,
        _ => throw CoordinationException.Invalid(field, $"{(int)status} is not a unit status"),
    };

    public static Proto.UnitStatus ToApi(this UnitStatus status) => status switch
    {
        UnitStatus.Available => Proto.UnitStatus.Available,
        UnitStatus.Unavailable => Proto.UnitStatus.Unavailable,
        UnitStatus.Committed => Proto.UnitStatus.Committed,
        UnitStatus.EnRoute => Proto.UnitStatus.EnRoute,
        UnitStatus.OnScene => Proto.UnitStatus.OnScene,
        UnitStatus.OutOfService => Proto.UnitStatus.OutOfService,
        _ => Proto.UnitStatus.Unspecified,
    };

    public static LicenceStatus ToDomain(this Proto.LicenceStatus licence, string field) => licence switch
    {
        Proto.LicenceStatus.Valid => LicenceStatus.Valid,
        Proto.LicenceStatus.Suspended => LicenceStatus.Suspended,
        Proto.LicenceStatus.Revoked => LicenceStatus.Revoked,
        _ => throw CoordinationException.Invalid(field, "must be VALID, SUSPENDED or REVOKED"),
    };

    public static Proto.LicenceStatus ToApi(this LicenceStatus licence) => licence switch
    {
        LicenceStatus.Valid => Proto.LicenceStatus.Valid,
        LicenceStatus.Suspended => Proto.LicenceStatus.Suspended,
        LicenceStatus.Revoked => Proto.LicenceStatus.Revoked,
        _ => Proto.LicenceStatus.Unspecified,
    };

    public static Proto.Unit ToApi(this UnitView unit)
    {
        var result = new Proto.Unit
        {
            CompanyId = unit.CompanyId,
            UnitId = unit.UnitId,
            Headcount = unit.Headcount,
            Capabilities = { unit.Capabilities },
            HomeDistrict = unit.HomeDistrict,
            Status = unit.Status.ToApi(),
            Position = unit.Position.ToApi(),
            LastHeartbeat = Timestamp.FromDateTimeOffset(unit.LastHeartbeat),
            StatusChangedAt = Timestamp.FromDateTimeOffset(unit.StatusChangedAt),
            Stale = unit.Stale,
            CountedAvailable = unit.CountedAvailable,
            IncidentId = unit.IncidentId ?? "",
            OnExercise = unit.OnExercise,
        };
        return result;
    }

    public static Proto.Company ToApi(this CompanyView company) => new()
    {
        CompanyId = company.CompanyId,
        Name = company.Name ?? "",
        Licence = company.Licence.ToApi(),
        LicenceReason = company.LicenceReason ?? "",
        Units = company.Units,
        FrameworkAgreements = { company.FrameworkAgreements.Select(p => p.ToApi()) },
        UnitsByDistrict = { company.UnitsByDistrict.Select(d => new Proto.DistrictUnits { DistrictId = d.District, Units = d.Units }) },
        OutstandingOffers = company.OutstandingOffers,
    };

    public static Proto.CapacityReport ToApi(this CapacityFigures figures, Proto.CapacityScope scope) => new()
    {
        Scope = scope,
        Districts = { figures.Districts },
        ByCapability = { figures.ByCapability.Select(c => new Proto.CapabilityCapacity { Capability = c.Capability, AvailableUnits = c.AvailableUnits, AvailableGuards = c.AvailableGuards }) },
        ByStatus = { figures.ByStatus.Select(s => new Proto.StatusCount { Status = s.Status.ToApi(), Units = s.Units, Guards = s.Guards }) },
        AvailableUnits = figures.AvailableUnits,
        AvailableGuards = figures.AvailableGuards,
        RegisteredUnits = figures.RegisteredUnits,
        StaleUnits = figures.StaleUnits,
        AsOf = Timestamp.FromDateTimeOffset(figures.AsOf),
    };

    public static Proto.ListDistrictsResponse Districts() => new() { Districts = { ReferenceData.Current.Districts.Select(d => d.ToApi()) } };

    public static Proto.ListCapabilitiesResponse Capabilities() => new()
    {
        Capabilities = { ReferenceData.Current.Capabilities.Select(c => new Proto.Capability { Id = c.Id, Name = c.Name }) },
        ForbiddenTasks = { ReferenceData.Current.ForbiddenTasks.Select(f => new Proto.ForbiddenTask { Id = f.Id, Name = f.Name, Reason = f.Reason }) },
        BulletinKinds = { ReferenceData.Current.BulletinKinds.Select(k => new Proto.BulletinKind { Id = k.Id, Name = k.Name, ObserveOnly = k.ObserveOnly }) },
        ObservationCategories = { ReferenceData.Current.ObservationCategories.Select(c => new Proto.ObservationCategory { Id = c.Id, Name = c.Name, Icon = c.Icon ?? "" }) },
    };

    public static Proto.IncidentSummary ToApi(this IncidentSummary incident) => new()
    {
        IncidentId = incident.IncidentId,
        DistrictId = incident.District,
        Title = incident.Title,
        Priority = incident.Priority.ToApi(),
        Exercise = incident.Exercise,
        OpenedAt = incident.OpenedAt.ToApi(),
        Location = ((GeoPoint?)incident.Location).ToApi(),
        Requests = incident.Requests,
        RequestedGuards = incident.RequestedGuards,
        SoughtGuards = incident.SoughtGuards,
        CommittedGuards = incident.CommittedGuards,
        EnRouteGuards = incident.EnRouteGuards,
        OnSceneGuards = incident.OnSceneGuards,
        UnfilledGuards = incident.UnfilledGuards,
    };

    /// <summary>Proto3 strings are never null: an empty one is a field not given.</summary>
    public static string? OrNull(this string value) => value.Length == 0 ? null : value;

    public static Priority ToDomain(this Proto.Priority priority, string field) => priority switch
    {
        Proto.Priority.Urgent => Priority.Urgent,
        Proto.Priority.High => Priority.High,
        Proto.Priority.Routine => Priority.Routine,
        _ => throw CoordinationException.Invalid(field, "must be URGENT, HIGH or ROUTINE"),
    };

    public static Proto.Priority ToApi(this Priority priority) => priority switch
    {
        Priority.Urgent => Proto.Priority.Urgent,
        Priority.High => Proto.Priority.High,
        Priority.Routine => Proto.Priority.Routine,
        _ => Proto.Priority.Unspecified,
    };

    // The domain enums below share their numbers with the proto enums by design (0 = unspecified).
    public static Proto.OfferStatus ToApi(this OfferStatus status) => (Proto.OfferStatus)(int)status;

    public static Proto.RequestStatus ToApi(this RequestStatus status) => (Proto.RequestStatus)(int)status;

    public static Proto.AssignmentStatus ToApi(this AssignmentStatus status) => (Proto.AssignmentStatus)(int)status;

    public static Proto.TimelineKind ToApi(this TimelineKind kind) => (Proto.TimelineKind)(int)kind;

    public static Proto.IncidentStatus ToApi(this IncidentStatus status) => (Proto.IncidentStatus)(int)status;

    public static Timestamp ToApi(this DateTimeOffset at) => Timestamp.FromDateTimeOffset(at);

    // The range google.protobuf.Timestamp documents (0001-01-01 .. 9999-12-31 UTC), which is also DateTimeOffset's.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;

    /// <summary>
    /// A request's time, checked. The wire carries any int64 seconds and int32 nanos, but
    /// Timestamp.ToDateTimeOffset throws on what is no time; every Timestamp a request brings is read
    /// through here (never ToDateTimeOffset directly), so such a value is the client's INVALID_ARGUMENT
    /// naming the field, not an INTERNAL.
    /// </summary>
    public static DateTimeOffset ToDomain(this Timestamp at, string field)
    {
        if (at.Nanos is < 0 or > 999_999_999)
        {
            throw CoordinationException.Invalid(field, $"nanos must be between 0 and 999999999 (was {at.Nanos})");
        }

        if (at.Seconds is < MinTimestampSeconds or > MaxTimestampSeconds)
        {
            throw CoordinationException.Invalid(field, $"must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z (seconds was {at.Seconds})");
        }

        return at.ToDateTimeOffset();
    }

    /// <summary>An optional time (unset is null), checked as <see cref="ToDomain(Timestamp, string)"/> does.</summary>
    public static DateTimeOffset? ToDomainOrNull(this Timestamp? at, string field) => at?.ToDomain(field);

    public static Proto.Offer ToApi(this OfferNotice offer) => new()
    {
        OfferId = offer.OfferId,
        DistrictId = offer.District,
        Capability = offer.Capability,
        Guards = offer.Guards,
        Location = ((GeoPoint?)offer.Location).ToApi(),
        Start = offer.Start.ToApi(),
        End = offer.End.ToApi(),
        Priority = offer.Priority.ToApi(),
        Exercise = offer.Exercise,
        Deadline = offer.Deadline.ToApi(),
        SuggestedUnitIds = { offer.SuggestedUnits },
        Status = offer.Status.ToApi(),
    };

    public static Proto.CapacityRequest ToApi(this RequestView request, string incidentId) => new()
    {
        IncidentId = incidentId,
        RequestId = request.RequestId,
        Capability = request.Capability,
        Guards = request.Guards,
        Location = ((GeoPoint?)request.Location).ToApi(),
        Start = request.Start.ToApi(),
        End = request.End.ToApi(),
        AllowPartial = request.AllowPartial,
        AllowNeighbours = request.AllowNeighbours,
        Status = request.Status.ToApi(),
        CommittedGuards = request.CommittedGuards,
        OfferedGuards = request.OfferedGuards,
        Offers =
        {
            request.Offers.Select(o => new Proto.OfferSummary
            {
                OfferId = o.OfferId,
                CompanyId = o.CompanyId,
                Guards = o.Guards,
                SuggestedUnitIds = { o.SuggestedUnits },
                Status = o.Status.ToApi(),
                Deadline = o.Deadline.ToApi(),
                CommittedGuards = o.CommittedGuards,
                Reason = o.Reason ?? "",
                Automatic = o.Automatic,
                ReleasedGuards = o.ReleasedGuards,
            }),
        },
        Assignments = { request.Assignments.Select(a => a.ToApi()) },
        ReleasedGuards = request.ReleasedGuards,
    };

    public static Proto.Assignment ToApi(this AssignmentView a) => new()
    {
        CompanyId = a.CompanyId,
        UnitId = a.UnitId,
        Guards = a.Guards,
        Status = a.Status.ToApi(),
        OfferId = a.OfferId,
        CommittedAt = a.CommittedAt.ToApi(),
        Until = a.Until.ToApi(),
    };

    public static Proto.Incident ToApi(this IncidentView incident) => new()
    {
        IncidentId = incident.IncidentId,
        DistrictId = incident.District,
        Title = incident.Title,
        Location = ((GeoPoint?)incident.Location).ToApi(),
        Priority = incident.Priority.ToApi(),
        Exercise = incident.Exercise,
        UsesLiveCapacity = incident.UsesLiveCapacity,
        Status = incident.Status.ToApi(),
        OpenedAt = incident.OpenedAt.ToApi(),
        ClosedAt = incident.ClosedAt?.ToApi(),
        Requests = { incident.Requests.Select(r => r.ToApi(incident.IncidentId)) },
        Timeline =
        {
            incident.Timeline.Select(e => new Proto.TimelineEvent
            {
                Sequence = e.Sequence,
                At = e.At.ToApi(),
                Kind = e.Kind.ToApi(),
                Actor = e.Actor,
                Reason = e.Reason ?? "",
                RequestId = e.RequestId ?? "",
                OfferId = e.OfferId ?? "",
                CompanyId = e.CompanyId ?? "",
                UnitIds = { e.Units },
                Guards = e.Guards,
                ObservationId = e.ObservationId ?? "",
            }),
        },
    };

    public static Proto.District ToApi(this District district) => new()
    {
        Id = district.Id,
        Name = district.Name,
        Headquarters = district.Headquarters,
        Position = new Proto.GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
        Neighbours = { district.Neighbours },
        ProtectedReserveGuards = district.ProtectedReserveGuards,
    };
}
